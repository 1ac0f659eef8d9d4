"""Listing tables for the staff admin that cost little to write.

Wagtail writes a listing through templates: a template tag per cell, which renders a template per
cell, and an included template per row for its attributes. A list of 60 rows and 8 columns is 480
cells, and writing them that way was half the cost of the officers' list of applications. Here a
cell is written in Python (PlainColumn, PlainTitleColumn: the same markup as Wagtail's cells), and
when every column of a table is such a column, PlainTable writes its rows in Python too. Any other
column (Wagtail's own, with its template) makes the table fall back to Wagtail's template, so
nothing changes for lists that use them.
"""

import datetime
import functools
import html
import re
from typing import Any

from django.contrib.admin.utils import quote
from django.core.exceptions import FieldDoesNotExist
from django.core.signals import setting_changed
from django.template import Context
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.hashable import make_hashable
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language

from wagtail.admin.ui.tables import Column, Table, TitleColumn
from wagtail.coreutils import multigetattr

from core.memory import ProcessMemory


@functools.lru_cache(maxsize=4096)
def _localized_date(value: datetime.date, offset: Any, zone: str, language: str | None) -> str:
    return localize(value)


def localized(value: Any) -> Any:
    """`localize(value)`, remembered for dates and times: formatting one costs 30-45 µs, and a
    list shows the same ones on every page. What it shows depends only on the moment, its time
    zone and the language, which are the key (a moment alone compares equal across zones)."""
    if isinstance(value, datetime.date):
        offset = value.utcoffset() if isinstance(value, datetime.datetime) else None
        zone = str(value.tzinfo) if isinstance(value, datetime.datetime) else ""
        return _localized_date(value, offset, zone, get_language())
    return localize(value)


def _forget_formats(**kwargs: Any) -> None:
    _localized_date.cache_clear()


# Formats come from settings and the language; tests change them with override_settings.
setting_changed.connect(_forget_formats, dispatch_uid="core.admin_listing.formats")


def escaped(value: Any) -> str:
    """Django's conditional_escape (it calls html.escape too), without the wrapper that looks for
    lazy strings among the arguments on every call: a few µs, 480 times a page."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def value_at(instance: Any, accessor: str) -> Any:
    """Wagtail's multigetattr(instance, accessor), with a shortcut for the common case of one
    attribute of an object that is not a mapping: multigetattr first tries instance[accessor] and
    catches the TypeError, which costs more than the rest. Raises as multigetattr does."""
    if "." in accessor or hasattr(type(instance), "__getitem__"):
        return multigetattr(instance, accessor)
    try:
        value = getattr(instance, accessor)
    except AttributeError:
        return multigetattr(instance, accessor)  # its list-index lookup, and its error
    if callable(value):
        if getattr(value, "alters_data", False):
            return multigetattr(instance, accessor)  # which refuses it
        value = value()
    return value


_DISPLAY_ACCESSOR = re.compile(r"get_(\w+)_display")


@functools.cache
def _choice_labels(model: type, field_name: str) -> dict[Any, Any] | None:
    """A field's choices as Model.get_FOO_display() looks them up, or None for a field whose
    choices are worked out each time (a callable), that has none, or for rows that are not model
    instances (their own get_FOO_display is used)."""
    options = getattr(model, "_meta", None)  # a table's rows need not be model instances
    if options is None:
        return None
    try:
        field = options.get_field(field_name)
    except FieldDoesNotExist:
        return None
    if not field.choices or isinstance(field.choices, CallableChoiceIterator):
        return None
    return dict(make_hashable(field.flatchoices))


class PlainColumn(Column):
    """A text cell written without a template; the output is Wagtail's own cell markup.

    A `get_FOO_display` accessor (Wagtail's choice for a field with choices) reads the label from
    the field's choices kept once, rather than through Django's method, which rebuilds the whole
    dictionary of choices for every cell."""

    @cached_property
    def _display_field(self) -> str | None:
        """The field of a `get_FOO_display` accessor."""
        display = isinstance(self.accessor, str) and _DISPLAY_ACCESSOR.fullmatch(self.accessor)
        return display.group(1) if display else None

    def get_value(self, instance: Any) -> Any:
        accessor = self.accessor
        if callable(accessor):
            return accessor(instance)
        if (name := self._display_field) is not None:
            labels = _choice_labels(type(instance), name)
            if labels is not None:
                value = getattr(instance, type(instance)._meta.get_field(name).attname)
                return force_str(labels.get(make_hashable(value), value), strings_only=True)
        try:
            return value_at(instance, accessor)
        except AttributeError:
            return None

    @cached_property
    def _td(self) -> str:
        return f'<td class="{escaped(self.classname)}">' if self.classname else "<td>"

    def render_cell_html(self, instance: Any, parent_context: Any) -> str:
        return SafeString(f"{self._td}{self.cell_text(self.get_value(instance))}</td>")

    def cell_text(self, value: Any) -> str:
        """The cell's text, escaped: the empty value's text for nothing or blanks, dates and times
        in the current time zone and language, numbers localized."""
        if isinstance(value, str):  # most cells: no time zone or number formatting to do
            return escaped(value) if value.strip() else escaped(self.empty_value_display)
        if value is None or not str(value).strip():
            return escaped(self.empty_value_display)
        return escaped(localized(template_localtime(value)))


class PlainTitleColumn(TitleColumn):
    """A row's linked title, written without a template (see PlainColumn). No buttons or labels.

    With `url_name`, the link is reversed once and the row's key put into it, rather than reversed
    for every row (about 20 µs each)."""

    # A key no record has, reversed in its place and then replaced by each row's own.
    URL_KEY_STAND_IN = 918273645546372819

    def get_value(self, instance: Any) -> Any:
        if callable(self.accessor):
            return self.accessor(instance)
        try:
            return value_at(instance, self.accessor)
        except AttributeError:
            return None

    def get_link_url(self, instance: Any, parent_context: Any) -> str | None:
        if self._get_url_func or not self.url_name:
            return super().get_link_url(instance, parent_context)
        key = value_at(instance, self.id_accessor)
        if not isinstance(key, int):
            return super().get_link_url(instance, parent_context)
        return self._url_pattern().replace(str(self.URL_KEY_STAND_IN), str(key))

    def _url_pattern(self) -> str:
        where = (get_urlconf(), get_script_prefix())
        cached = self.__dict__.get("_url_pattern_cache")
        if cached is None or cached[0] != where:
            cached = (where, reverse(self.url_name, args=(quote(self.URL_KEY_STAND_IN),)))
            self.__dict__["_url_pattern_cache"] = cached
        return cached[1]

    def render_cell_html(self, instance: Any, parent_context: Any) -> str:
        value = self.get_value(instance)
        text = self.empty_value_display if value is None or not str(value).strip() else value
        url = self.get_link_url(instance, parent_context)
        if not url:
            return SafeString(
                f'<td class="title"><div class="title-wrapper">{escaped(text)}</div></td>'
            )
        return SafeString(
            f'<td class="title"><div class="title-wrapper"><a href="{escaped(url)}">'
            f"{escaped(text)}</a></div></td>"
        )


PLAIN_COLUMNS = (PlainColumn, PlainTitleColumn)


def html_attrs(attrs: dict[str, Any]) -> str:
    """Wagtail's wagtailadmin/shared/attrs.html: ` name="value"` for each, ` name` for True,
    nothing for False."""
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


MAX_HEADERS = 512
_headers: ProcessMemory[tuple[Any, ...], str] = ProcessMemory(MAX_HEADERS)


class PlainTable(Table):
    """Wagtail's listing table (wagtailadmin/tables/table.html), written in Python when all of its
    columns are plain; otherwise exactly Wagtail's.

    The header cells are still Wagtail's template (its sorting links keep the rest of the query),
    rendered once for each set of inputs the template reads and then remembered."""

    def header_cells(self, columns: list[Any], context: Context) -> str:
        request = context.get("request")
        key = (
            tuple(
                (
                    type(column),
                    column.name,
                    str(column.label),
                    column.sort_key,
                    column.classname,
                    column.header_template_name,
                    str(column.ascending_title_text or self.get_ascending_title_text(column)),
                    str(column.descending_title_text or self.get_descending_title_text(column)),
                )
                for column in columns
            ),
            self.ordering,
            self.base_url,
            request.GET.urlencode() if request is not None else None,
            get_language(),
        )
        html = _headers.get(key)
        if html is None:
            html = "".join(column.render_header_html(context) for column in columns)
            _headers.put(key, html)
        return html

    def render_html(self, parent_context: Any = None) -> SafeString:
        columns = list(self.columns.values())
        if not columns or not all(isinstance(column, PLAIN_COLUMNS) for column in columns):
            return super().render_html(parent_context)
        # What Wagtail's template gives its headers and cells: the table and the request.
        context = Context(self.get_context_data(parent_context or {}))
        html = [f"<table{html_attrs(self.attrs)}>"]
        if caption := self.get_caption():
            html.append(format_html('<caption class="w-sr-only">{}</caption>', caption))
        if self.has_column_widths():
            html.extend(
                format_html('<col width="{}" />', column.width) if column.width else "<col />"
                for column in columns
            )
        row_class = (
            format_html(' class="{}"', self.header_row_classname)
            if self.header_row_classname
            else ""
        )
        html.append(f"<thead><tr{row_class}>")
        html.append(self.header_cells(columns, context))
        html.append("</tr></thead><tbody>")
        for instance in self.data:
            html.append(f"<tr{html_attrs(self.get_row_attrs(instance))}>")
            html.extend(column.render_cell_html(instance, context) for column in columns)
            html.append("</tr>")
        html.append("</tbody></table>")
        return mark_safe("".join(html))  # each part is escaped above or by its column
