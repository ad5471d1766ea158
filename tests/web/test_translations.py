"""Dutch first: every interface string has a Dutch translation, and the compiled
catalogue that Django loads matches the .po file (no stale .mo)."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def _unquote(block: str) -> str:
    return (
        "".join(re.findall(r'"(.*)"', block))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def _entries() -> list[tuple[str, str, bool]]:
    entries = []
    for block in PO.read_text("utf-8").split("\n\n")[1:]:
        msgid = re.search(r"^msgid ((?:\".*\"\n?)+)", block, re.M)
        if not msgid or "msgid_plural" in block:
            continue
        msgstr = re.search(r"^msgstr ((?:\".*\"\n?)+)", block, re.M)
        entries.append((_unquote(msgid.group(1)), _unquote(msgstr.group(1)), "fuzzy" in block))
    return entries


def test_every_string_has_a_dutch_translation() -> None:
    entries = _entries()
    assert len(entries) > 150
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []


def test_the_compiled_catalogue_matches_the_po_file() -> None:
    with translation.override("nl"):
        stale = [
            msgid for msgid, msgstr, _fuzzy in _entries() if translation.gettext(msgid) != msgstr
        ]
    assert stale == []


def test_plurals_are_translated() -> None:
    with translation.override("nl"):
        singular, plural = "opening is open", "openings are open"
        one = translation.ngettext(singular, plural, 1)
        many = translation.ngettext(singular, plural, 5)
    assert (one, many) == ("vacature staat open", "vacatures staan open")
