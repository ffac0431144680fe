"""Strict parsing of environment variables: a bad value stops start-up with a clear message."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().upper()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}; got {raw!r}")
    return value


def env_set(name: str, default: frozenset[str], choices: tuple[str, ...], everything: str) -> frozenset[str]:
    """A comma-separated set of `choices`, or `everything` alone (e.g. "all" or "physician,clinic-admin").

    An empty value, an unknown item or `everything` mixed with items stops start-up.
    """
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip().lower() for item in raw.split(",")]
    allowed = f"{everything!r} or a comma-separated list of {', '.join(choices)}"
    if items == [everything]:
        return frozenset({everything})
    if not all(items) or not set(items) <= set(choices):
        raise ImproperlyConfigured(f"{name} must be {allowed}; got {raw!r}")
    return frozenset(items)
