"""The page components: every template builds on them, and they render what
the pages rely on."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template, TemplateSyntaxError

from web.templatetags.components import initials

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
COMPONENTS = TEMPLATES / "components"
# Element and the component that owns it.
OWNED = {"button": "{% button %}", "table": "{% datatable %}"}


def _templates() -> list[Path]:
    return [p for p in TEMPLATES.rglob("*.html") if COMPONENTS not in p.parents]


def test_no_page_writes_a_raw_button_or_table() -> None:
    offenders = [
        f"{path.relative_to(TEMPLATES)}: <{tag}> (use {OWNED[tag]})"
        for path in _templates()
        for tag in OWNED
        if re.search(rf"<{tag}[\s>]", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_check_sees_a_raw_button(tmp_path: Path) -> None:
    """The check above is not vacuous: the pattern finds what it looks for."""
    assert re.search(r"<button[\s>]", '<button type="submit">Ja</button>')
    assert len(_templates()) > 40


def test_every_table_cell_of_a_page_has_its_label() -> None:
    """At 360 px a row is a card; each value shows its column's header."""
    missing = [
        f"{path.relative_to(TEMPLATES)}: {m.group(0)}"
        for path in _templates()
        for m in re.finditer(r"<td(?![^>]*data-label)[^>]*>", path.read_text(encoding="utf-8"))
    ]
    assert missing == []


def _render(source: str, **context: object) -> str:
    return Template("{% load components %}" + source).render(Context(context))


def test_a_short_button_keeps_its_object_in_the_accessible_name() -> None:
    html = _render('{% button "Ja, interessant" hidden=title %}', title="Stage CNC-draaier")
    assert html.startswith('<button type="submit" class="utrecht-button utrecht-button--primary')
    assert 'Ja, interessant<span class="visually-hidden"> Stage CNC-draaier</span>' in html


def test_button_attributes_and_variants() -> None:
    html = _render(
        '{% button "Weigeren" variant="secondary" hx_post="/x/" formnovalidate=True class="a" %}'
    )
    assert 'class="utrecht-button utrecht-button--secondary-action a"' in html
    assert 'hx-post="/x/"' in html
    assert " formnovalidate" in html
    with pytest.raises(TemplateSyntaxError):
        _render('{% button "x" variant="loud" %}')


def test_the_table_wraps_its_content_in_a_scroll_container() -> None:
    html = _render(
        '{% datatable caption="Plaatsen" class="kpi" %}<tbody></tbody>{% enddatatable %}'
    )
    assert (
        '<div class="mm-table-container" tabindex="0" role="region" aria-label="Plaatsen">' in html
    )
    assert 'class="utrecht-table utrecht-table--html-table mm-table kpi"' in html
    assert '<caption class="utrecht-table__caption">Plaatsen</caption>' in html


def test_alerts_take_message_levels() -> None:
    assert "utrecht-alert--ok" in _render('{% alert type="success" %}Opgeslagen{% endalert %}')
    with pytest.raises(TemplateSyntaxError):
        _render('{% alert type="loud" %}x{% endalert %}')


def test_initials_for_the_avatar() -> None:
    assert initials("Metaalwerk De Linge") == "ML"
    assert initials("van der Heijden Techniek") == "HT"
    assert initials("ABB") == "A"


def test_a_select_has_a_placeholder_not_dashes() -> None:
    from django import forms

    class F(forms.Form):
        kind = forms.ChoiceField(choices=[("", "---------"), ("bol", "BOL")], required=False)

    html = str(F()["kind"])
    assert "---------" not in html
    assert "Kies…" in html or "Choose…" in html
    assert 'class="utrecht-select utrecht-select--html-select"' in html
