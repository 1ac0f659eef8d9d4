from django import template

from core.money import format_pence

register = template.Library()


@register.filter
def pounds(pence: int | None) -> str:
    return format_pence(pence)


@register.filter
def whole_pounds(pence: int | None) -> str:
    return format_pence(pence, whole_pounds=True)
