"""The page components: each one's markup lives in one file under
``web/templates/components/``; these tags fill it in.

Pages never write a ``<button>`` or a ``<table>`` themselves (a test checks
it): they call ``{% button %}`` and ``{% datatable %}``.

    {% button _("Ja, interessant") hidden=opening.title %}
    {% button _("Weigeren") variant="secondary" hx_post=url hx_target="#x" %}
    {% datatable caption=_("Vacatures") %}<thead>…</thead><tbody>…</tbody>{% enddatatable %}
    {% card element="li" id="suggestion-3" %}…{% endcard %}
    {% alert "warning" %}…{% endalert %}
    {% badge opening.get_type_display %}  {% status_badge _("Open") "valid" %}
    {% breadcrumb url_a label_a url_b label_b current_label %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string

register = template.Library()

BUTTON_VARIANTS = {
    "primary": "utrecht-button--primary-action",
    "secondary": "utrecht-button--secondary-action",
    "subtle": "utrecht-button--subtle",
    "danger": "utrecht-button--primary-action utrecht-button--danger",
    "secondary-danger": "utrecht-button--secondary-action utrecht-button--danger",
}
BUTTON_LINK_VARIANTS = {
    "primary": "utrecht-button-link--primary-action",
    "secondary": "utrecht-button-link--secondary-action",
    "subtle": "utrecht-button-link--subtle",
}
ALERT_TYPES = {"info", "ok", "warning", "error"}
# Django's message levels as alert types.
ALERT_ALIASES = {"success": "ok", "debug": "info"}
STATUS_BADGES = {"neutral", "valid", "warning", "invalid", "active", "inactive"}


def _html(attrs: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments as HTML attributes for a component's template: ``attrs``
    (``hx_post`` becomes ``hx-post``; None, False and "" are left out, True is a
    bare attribute) and ``extra``, the ``class`` the component adds to its own."""
    return {
        "attrs": {
            key.replace("_", "-"): value
            for key, value in attrs.items()
            if key != "class" and value is not None and value is not False and value != ""
        },
        "extra": attrs.get("class", ""),
    }


def _variant(variant: str) -> str:
    try:
        return BUTTON_VARIANTS[variant]
    except KeyError:
        raise template.TemplateSyntaxError(f"unknown button variant {variant!r}") from None


@register.simple_tag
def button(
    label: str,
    variant: str = "primary",
    hidden: str = "",
    type: str = "submit",  # noqa: A002 (the attribute's name)
    **attrs: Any,
) -> str:
    """A button. ``hidden`` is read out after the label but not shown, for a
    short label that needs its object in the accessible name."""
    return render_to_string(
        "components/button.html",
        {
            "label": label,
            "hidden": hidden,
            "type": type,
            "classes": _variant(variant),
            **_html(attrs),
        },
    )


@register.simple_tag
def button_link(
    href: str, label: str, variant: str = "primary", hidden: str = "", **attrs: Any
) -> str:
    """A link that looks like a button (it goes somewhere; it changes nothing)."""
    return render_to_string(
        "components/button_link.html",
        {
            "href": href,
            "label": label,
            "hidden": hidden,
            "classes": BUTTON_LINK_VARIANTS.get(variant, BUTTON_LINK_VARIANTS["primary"]),
            **_html(attrs),
        },
    )


@register.simple_block_tag
def datatable(
    content: str, caption: str = "", caption_hidden: bool = False, label: str = "", **attrs: Any
) -> str:
    """A data table; the page gives its ``<thead>`` and ``<tbody>``, and every
    ``<td>`` a ``data-label`` (its column's header), which is shown beside the
    value when a narrow screen turns each row into a card."""
    return render_to_string(
        "components/table.html",
        {
            "content": content,
            "caption": caption,
            "caption_hidden": caption_hidden,
            "label": label,
            **_html(attrs),
        },
    )


@register.simple_block_tag
def card(content: str, element: str = "div", **attrs: Any) -> str:
    """A card: a bordered block for one thing (an opening, a suggestion)."""
    if element not in {"div", "li", "article", "section"}:
        raise template.TemplateSyntaxError(f"a card cannot be a <{element}>")
    return render_to_string(
        "components/card.html",
        {
            "content": content,
            "element": element,
            **_html(attrs),
        },
    )


@register.simple_block_tag
def alert(content: str, type: str = "info", role: str = "", **attrs: Any) -> str:  # noqa: A002
    """A message box: info, ok, warning or error (or a Django message level)."""
    kind = ALERT_ALIASES.get(type, type)
    if kind not in ALERT_TYPES:
        raise template.TemplateSyntaxError(f"unknown alert type {type!r}")
    return render_to_string(
        "components/alert.html",
        {
            "content": content,
            "type": kind,
            "role": role,
            **_html(attrs),
        },
    )


@register.simple_block_tag
def button_group(content: str, **attrs: Any) -> str:
    """Buttons side by side, wrapping on a narrow screen."""
    return render_to_string(
        "components/button_group.html",
        {
            "content": content,
            **_html(attrs),
        },
    )


@register.simple_tag
def badge(text: Any, **attrs: Any) -> str:
    """A data badge: a fact about a thing (type, level, place, distance)."""
    return render_to_string(
        "components/badge.html",
        {
            "text": text,
            "status": "",
            **_html(attrs),
        },
    )


@register.simple_tag
def status_badge(text: Any, status: str = "neutral", **attrs: Any) -> str:
    """A status badge: where a thing stands, in words and in colour."""
    if status not in STATUS_BADGES:
        raise template.TemplateSyntaxError(f"unknown status {status!r}")
    return render_to_string(
        "components/badge.html",
        {
            "text": text,
            "status": status,
            **_html(attrs),
        },
    )


@register.simple_tag
def breadcrumb(*steps: Any) -> str:
    """A breadcrumb: pairs of (url, label), then the current page's label."""
    *pairs, current = steps
    if len(pairs) % 2:
        raise template.TemplateSyntaxError(
            "breadcrumb takes (url, label) pairs and the current label"
        )
    links = [{"url": pairs[i], "label": pairs[i + 1]} for i in range(0, len(pairs), 2)]
    return render_to_string("components/breadcrumb.html", {"links": links, "current": current})


@register.simple_tag(takes_context=True)
def pagination(context: template.Context, page: Any, label: str = "") -> str:
    """Previous/next and page numbers; keeps the page's other query
    parameters (filters, sort) in every link."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else None

    def href(number: int) -> str:
        if query is None:
            return f"?page={number}"
        query["page"] = number
        return "?" + query.urlencode()

    paginator = page.paginator
    numbers = paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    items = [
        {"number": n, "href": href(n) if isinstance(n, int) else "", "current": n == page.number}
        for n in numbers
    ]
    return render_to_string(
        "components/pagination.html",
        {
            "page": page,
            "label": label,
            "items": items,
            "previous": href(page.previous_page_number()) if page.has_previous() else "",
            "next": href(page.next_page_number()) if page.has_next() else "",
        },
    )


@register.filter
def initials(name: str) -> str:
    """Up to two capitals for an avatar: "Metaalwerk De Linge" gives "ML"."""
    words = [w for w in str(name).replace("-", " ").split() if w[:1].isalnum()]
    capitals = [w[0] for w in words if w[0].isupper() or w[0].isdigit()] or [w[0] for w in words]
    picked = capitals[:1] + capitals[-1:] if len(capitals) > 1 else capitals
    return "".join(picked).upper()


@register.filter
def dom_id(pk: Any, prefix: str) -> str:
    """An element id from a prefix and a primary key: ``suggestion-3``."""
    return f"{prefix}-{pk}"
