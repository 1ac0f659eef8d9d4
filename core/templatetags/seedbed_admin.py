"""Template tags for the staff admin's own templates (templates/wagtailadmin/)."""

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from core import admin_sidebar
from core.memory import ProcessMemory

register = template.Library()


@register.simple_tag(takes_context=True)
def remembered_sidebar_props(context: template.Context) -> SafeString:
    """Wagtail's `{% sidebar_props %}`, built once per person (core.admin_sidebar)."""
    return admin_sidebar.sidebar_props(context["request"])


MAX_REMEMBERED = 1024
_remembered: ProcessMemory[tuple[Any, ...], str] = ProcessMemory(MAX_REMEMBERED)


class RememberedNode(template.Node):
    def __init__(self, name: str, keys: list[Any], nodelist: template.NodeList) -> None:
        self.name = name
        self.keys = keys
        self.nodelist = nodelist

    def render(self, context: template.Context) -> str:
        key = (
            self.name,
            tuple(repr(value.resolve(context)) for value in self.keys),
            get_language(),
            get_current_timezone_name(),
        )
        html = _remembered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            _remembered.put(key, html)
        return html


@register.tag
def remembered(parser: template.base.Parser, token: template.base.Token) -> RememberedNode:
    """`{% remembered "name" value ... %}...{% endremembered %}`: the enclosed part, rendered once
    for each combination of the values (and the language and time zone) and kept in this
    process's memory. The values must be everything the part shows: it is not rendered again."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("remembered needs a name and the values it depends on")
    nodelist = parser.parse(("endremembered",))
    parser.delete_first_token()
    return RememberedNode(bits[1], [parser.compile_filter(bit) for bit in bits[2:]], nodelist)


def forget_remembered() -> None:
    _remembered.clear()
