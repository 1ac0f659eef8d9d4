"""Listing columns for the staff admin that write their cells without a template.

A listing of 60 rows has hundreds of cells, and a template per cell is most of what such a page
costs; these columns write Wagtail's own cell markup directly."""

from typing import Any

from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.timezone import template_localtime

from wagtail.admin.ui.tables import Column, TitleColumn


class PlainColumn(Column):
    """A text cell written without a template."""

    def render_cell_html(self, instance: Any, parent_context: dict[str, Any]) -> str:
        value = self.get_value(instance)
        if value is None or not str(value).strip():
            text = self.empty_value_display
        else:
            text = localize(template_localtime(value))
        if self.classname:
            return format_html('<td class="{}">{}</td>', self.classname, text)
        return format_html("<td>{}</td>", text)


class PlainTitleColumn(TitleColumn):
    """A row's linked title, written without a template (see PlainColumn). No buttons or labels."""

    def render_cell_html(self, instance: Any, parent_context: dict[str, Any]) -> str:
        value = self.get_value(instance)
        text = self.empty_value_display if value is None or not str(value).strip() else value
        url = self.get_link_url(instance, parent_context)
        if not url:
            return format_html('<td class="title"><div class="title-wrapper">{}</div></td>', text)
        return format_html(
            '<td class="title"><div class="title-wrapper"><a href="{}">{}</a></div></td>', url, text
        )
