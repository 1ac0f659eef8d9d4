"""The site header's navigation items (templates/components/header.html)."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

UNREAD = (
    ' <span class="govuk-tag govuk-tag--blue">{}'
    '<span class="govuk-visually-hidden"> unread</span></span>'
)


@register.simple_tag(takes_context=True)
def service_navigation_item(
    context: template.Context, href: str, label: str, unread: Any = None
) -> SafeString:
    """One item of GOV.UK's service navigation, marked as the current page when it is. Written
    in Python rather than an included template: the header has five, on every page."""
    request = context.get("request")
    badge = format_html(UNREAD, unread) if unread else SafeString("")
    if request is not None and request.path == href:
        return format_html(
            '<li class="govuk-service-navigation__item govuk-service-navigation__item--active">'
            '<a class="govuk-service-navigation__link" href="{}" aria-current="page">'
            '<strong class="govuk-service-navigation__active-fallback">{}</strong>{}</a></li>',
            href,
            label,
            badge,
        )
    return format_html(
        '<li class="govuk-service-navigation__item">'
        '<a class="govuk-service-navigation__link" href="{}">{}{}</a></li>',
        href,
        label,
        badge,
    )
