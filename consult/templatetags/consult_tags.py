from __future__ import annotations

from datetime import date

from django import template

from consult.models import FACE_AREAS

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


@register.filter
def area_names(slugs) -> str:
    """Face-area slugs as their names, in the face map's order."""
    names = dict(FACE_AREAS)
    return ", ".join(str(names[slug]) for slug in names if slug in (slugs or ()))
