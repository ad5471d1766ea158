"""Skills named in a free text: an opening's description or a student's "about me".

The finder proposes; the author picks. It matches the taxonomy's names (Dutch and
English labels and synonyms) against the text, word by word, after four steps
that Dutch needs:

1. **Folding:** lower case, accents off ("vacuüm" = "vacuum"), every non-letter a
   word break, so "MIG/MAG-lassen" is the words "mig mag lassen".
2. **Stemming:** the Snowball Dutch stemmer, then doubled letters collapsed, so
   "lassen", "las" and "last" meet, and "monteren", "monteert" and "monteer" too
   (a verb's "-t" is tried off as well: "hij freest" = "frezen").
3. **Compound splitting:** a word of the text that starts or ends with a name's
   word of five letters or more contains it: "draaibank" holds "draai(en)",
   "werktekening" holds "tekening", "koelmonteur" holds "monteur".
4. **Acronyms:** a name of three letters or fewer ("PLC", "VCA", "5S", "ST")
   matches only where the text writes it in capitals (or digits), so the word
   "st" or "pm" in passing proposes nothing.

A name of several words matches when all its words occur close together (within
its length plus ``window`` words), in any order: "lasnaden beoordelen" is found in
"beoordeelt je lasnaden". A direct match scores 1.0, one through a compound 0.8.
One skill is proposed once, at its best name.

Pure Python: no Django. ``matching.services.skill_suggestions`` feeds it the
taxonomy. ``docs/algorithm.md`` reports its recall and precision on the labelled
texts in ``matching/evaldata/skill_texts.jsonl``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import snowballstemmer

from matching.engine.text import DUTCH_STOP_WORDS
from matching.engine.words import accents_strip

_WORD = re.compile(r"[0-9a-zA-Z]+")
_DOUBLE = re.compile(r"(.)\1+")
COMPOUND_MIN = 5
ACRONYM_MAX = 3
DIRECT, COMPOUND = 1.0, 0.8
_STEMMER = snowballstemmer.stemmer("dutch")


def _key(word: str) -> str:
    if len(word) <= ACRONYM_MAX:
        return word.lower()  # "PPE" is not "PE"
    return _DOUBLE.sub(r"\1", _STEMMER.stemWord(word.lower()))


def _keys(word: str) -> set[str]:
    """A word of the text under each form it may match: its stem, and for a verb
    in the third person ("monteert"), the stem without the "-t"."""
    keys = {_key(word)}
    if len(word) >= 4 and word[-1] in "tT":
        keys.add(_key(word[:-1]))
    return keys


@dataclass(frozen=True)
class _Term:
    skill: Hashable
    name: str
    keys: tuple[str, ...]
    acronym: bool


@dataclass(frozen=True)
class Found:
    skill: Hashable
    name: str  # the taxonomy name that matched
    text: str  # the words of the text that matched
    score: float
    position: int  # the first matched word, for reading order


class SkillFinder:
    """Built once per taxonomy (about 150 ms for the 236 shipped skills); ``find``
    is then a dictionary walk over the text's words (under 1 ms a text)."""

    def __init__(self, skills: Iterable[tuple[Hashable, Sequence[str]]], *, window: int = 3):
        self.window = window
        self.terms: list[_Term] = []
        self.by_key: dict[str, list[int]] = defaultdict(list)
        self.compound_keys: set[str] = set()
        for skill, names in skills:
            for name in dict.fromkeys(n.strip() for n in names if n and n.strip()):
                words = [
                    w
                    for w in _WORD.findall(accents_strip(name))
                    if w.lower() not in DUTCH_STOP_WORDS
                ]
                if not words or (len(words) == 1 and len(words[0]) < 2):
                    continue
                keys = tuple(dict.fromkeys(_key(w) for w in words))
                # A compound's part: five letters or more before doubles collapse
                # ("draai" yes; "keur", in "nauwkeurig", and "hand" no).
                self.compound_keys.update(
                    _key(w) for w in words if len(_STEMMER.stemWord(w.lower())) >= COMPOUND_MIN
                )
                acronym = len(words) == 1 and len(words[0]) <= ACRONYM_MAX
                index = len(self.terms)
                self.terms.append(_Term(skill, name, keys, acronym))
                for key in keys:
                    self.by_key[key].append(index)

    def _parts(self, key: str) -> set[str]:
        """The taxonomy's word keys that ``key`` starts or ends with (compounds)."""
        parts = set()
        for i in range(COMPOUND_MIN - 1, len(key)):
            if key[:i] in self.compound_keys:
                parts.add(key[:i])
            if key[-i:] in self.compound_keys:
                parts.add(key[-i:])
        return parts

    def find(self, text: str, *, limit: int = 20) -> list[Found]:
        words = _WORD.findall(accents_strip(text))
        # key -> [(position, how it was found)], for every key of the taxonomy in the text
        seen: dict[str, list[tuple[int, float]]] = defaultdict(list)
        capitals: set[int] = set()
        for position, word in enumerate(words):
            if word.lower() in DUTCH_STOP_WORDS and not word.isupper():
                continue
            if word.isupper() or word.isdigit() or any(c.isdigit() for c in word):
                capitals.add(position)
            for key in _keys(word):
                if key in self.by_key:
                    seen[key].append((position, DIRECT))
                for part in self._parts(key):
                    seen[part].append((position, COMPOUND))
        candidates = {i for key in seen for i in self.by_key[key]}
        best: dict[Hashable, Found] = {}
        for index in candidates:
            term = self.terms[index]
            hit = self._match(term, seen, capitals)
            if hit is None:
                continue
            score, first, last = hit
            found = Found(term.skill, term.name, " ".join(words[first : last + 1]), score, first)
            current = best.get(term.skill)
            if current is None or (found.score, -found.position) > (
                current.score,
                -current.position,
            ):
                best[term.skill] = found
        ranked = sorted(best.values(), key=lambda f: (-f.score, f.position))
        return ranked[:limit]

    def _match(
        self, term: _Term, seen: dict[str, list[tuple[int, float]]], capitals: set[int]
    ) -> tuple[float, int, int] | None:
        hits = [seen.get(key, []) for key in term.keys]
        if not all(hits):
            return None
        if term.acronym:
            direct = [p for p, how in hits[0] if how == DIRECT and p in capitals]
            return (DIRECT, direct[0], direct[0]) if direct else None
        span = len(term.keys) + self.window
        best: tuple[float, int, int] | None = None
        # Anchor on each occurrence of the first word; take the nearest of the others.
        for anchor, how in hits[0]:
            positions, score = [anchor], how
            for others in hits[1:]:
                near = min(others, key=lambda h: (abs(h[0] - anchor), -h[1]))
                positions.append(near[0])
                score = min(score, near[1])
            first, last = min(positions), max(positions)
            if last - first < span and (best is None or (score, -first) > (best[0], -best[1])):
                best = (score, first, last)
        return best


def evaluate(
    finder: SkillFinder, rows: Iterable[tuple[str, set[Hashable]]]
) -> dict[str, float | int]:
    """Micro-averaged precision and recall of ``finder`` on (text, labelled skills) rows."""
    true_positives = proposed = labelled = texts = 0
    for text, skills in rows:
        texts += 1
        found = {f.skill for f in finder.find(text, limit=1000)}
        true_positives += len(found & skills)
        proposed += len(found)
        labelled += len(skills)
    return {
        "texts": texts,
        "labelled": labelled,
        "proposed": proposed,
        "correct": true_positives,
        "precision": true_positives / proposed if proposed else 0.0,
        "recall": true_positives / labelled if labelled else 0.0,
    }
