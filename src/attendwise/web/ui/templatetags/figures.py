"""Template filters for figures: a percentage, or words when there is none."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

NOT_AVAILABLE = mark_safe(
    '<span aria-hidden="true">–</span>'
    '<span class="govuk-visually-hidden">not available</span>'
)


@register.filter
def percent(value: Decimal | float | None) -> SafeString:
    """Return '0.0%' style text (one place, half up), or a dash read as
    'not available'.

    None means nobody was counted (no possible sessions or no pupils): the
    dash is shown, and screen readers say "not available". Zero is a
    figure like any other ("0.0%").
    """
    if value is None:
        return NOT_AVAILABLE
    shown = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_html("{}%", shown)


@register.filter
def count(value: int | None) -> str:
    """Return a whole number with thousands separated: '78,840'."""
    return "" if value is None else f"{int(value):,}"
