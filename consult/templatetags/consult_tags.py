from __future__ import annotations

from datetime import date

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def yen(amount) -> str:
    """12345 -> '12,345' (the ¥ sign and 税込 label are written by the template)."""
    try:
        return f"{int(amount):,}"
    except (TypeError, ValueError):
        return ""


@register.filter
def iso_date(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return value or ""
