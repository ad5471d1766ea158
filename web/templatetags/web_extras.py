"""Small template helpers."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``mapping[key]`` in a template, or None."""
    if not hasattr(mapping, "get"):
        return None
    return mapping.get(key)


@register.filter
def minutes(delta: Any) -> int:
    """A timedelta in whole minutes."""
    return int(delta.total_seconds() // 60) if delta else 0


@register.simple_tag
def reject_reason_choices() -> list[tuple[str, str]]:
    """The preset reasons a reviewer picks from when rejecting."""
    from matching.models import RejectReason

    return list(RejectReason.choices)
