"""Word-level helpers shared by the engine and the imports (pure Python)."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def accents_strip(text: str) -> str:
    """Every accent off: "één" → "een", "Curaçao" → "Curacao", "ë" → "e"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def lookup_key(text: str) -> str:
    """A name as a lookup key: no accents, one space between words, any case."""
    return _SPACE.sub(" ", accents_strip(text)).strip().casefold()
