"""The form renderer: every form control gets the NL Design System class of
its kind, and a select's empty choice reads as a placeholder instead of
Django's "---------".

Set as ``FORM_RENDERER``. Controls that already carry a class (the admin's)
keep theirs.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext

EMPTY_LABEL = "---------"
INPUT_CLASSES = {
    "checkbox": "utrecht-checkbox utrecht-checkbox--html-input",
    "radio": "utrecht-radio-button utrecht-radio-button--html-input",
    "file": "mm-file-input",
    "hidden": "",
}
TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"
SELECT = "utrecht-select utrecht-select--html-select"
TEXTAREA = "utrecht-textarea utrecht-textarea--html-textarea"


def control_class(template_name: str, widget: dict[str, Any]) -> str:
    """The component class for one widget's template, or ""."""
    name = template_name.rsplit("/", 1)[-1]
    if name == "select.html":
        return SELECT
    if name == "textarea.html":
        return TEXTAREA
    if widget.get("type"):  # every <input>, an option of a choice group included
        return INPUT_CLASSES.get(widget["type"], TEXTBOX)
    return ""


def placeholder(widget: dict[str, Any]) -> None:
    """Name a select's empty choice in words ("Kies…")."""
    for _group, options, _index in widget.get("optgroups") or ():
        for option in options:
            if option.get("label") == EMPTY_LABEL and option.get("value") in ("", None):
                option["label"] = gettext("Choose…")


class ThemedFormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if isinstance(widget, dict) and template_name.startswith("django/forms/widgets/"):
            attrs = widget.setdefault("attrs", {})
            classes = control_class(template_name, widget)
            if classes and not attrs.get("class"):
                attrs["class"] = classes
            placeholder(widget)
        return super().render(template_name, context, request)
