"""Reading the official ESCO CSV export (https://esco.ec.europa.eu, "Download"):
``skills_<lang>.csv`` with ``conceptUri``, ``preferredLabel``, ``altLabels`` (one
per line), ``description``; and ``broaderRelationsSkillPillar.csv`` with
``conceptUri`` and ``broaderUri``, which places every skill in the skill groups.

A file that does not fit fails whole, with the line number; nothing is stored."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from accounts.exceptions import DomainError

ESCO_SKILL = "http://data.europa.eu/esco/skill/"
# Manufacturing, installation, maintenance and logistics: ESCO's skill groups
# "handling and moving" (S6), "constructing" (S7) and "working with machinery and
# specialised equipment" (S8).
DEFAULT_GROUPS = (f"{ESCO_SKILL}S6", f"{ESCO_SKILL}S7", f"{ESCO_SKILL}S8")
CATEGORY_BY_GROUP = {
    f"{ESCO_SKILL}S6": "logistics",
    f"{ESCO_SKILL}S7": "installation",
    f"{ESCO_SKILL}S8": "production",
}
DEFAULT_CATEGORY = "production"
SKILL_COLUMNS = ("conceptUri", "preferredLabel", "altLabels", "description")


@dataclass
class EscoSkill:
    uri: str
    label: str
    alt_labels: list[str] = field(default_factory=list)
    description: str = ""


def _rows(path: Path, columns: Iterable[str]) -> Iterable[tuple[int, dict[str, str]]]:
    try:
        # utf-8-sig: the export may start with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise DomainError(f"{path.name}: missing column(s) {', '.join(missing)}.")
            for row in reader:
                yield reader.line_num, row
    except UnicodeDecodeError as exc:
        raise DomainError(f"{path.name}: not UTF-8 text ({exc.reason}).") from None
    except csv.Error as exc:
        raise DomainError(f"{path.name}: {exc}.") from None


def skills_read(path: Path) -> dict[str, EscoSkill]:
    """One language's skills, by concept URI."""
    skills: dict[str, EscoSkill] = {}
    for line, row in _rows(path, SKILL_COLUMNS):
        uri, label = (
            (row.get("conceptUri") or "").strip(),
            (row.get("preferredLabel") or "").strip(),
        )
        if not uri.startswith(ESCO_SKILL) or not label:
            raise DomainError(f"{path.name}, line {line}: a skill needs an ESCO URI and a label.")
        alt = [a.strip() for a in (row.get("altLabels") or "").splitlines() if a.strip()]
        skills[uri] = EscoSkill(uri, label, alt, (row.get("description") or "").strip())
    return skills


def broader_read(path: Path) -> dict[str, set[str]]:
    """For each concept, the groups directly above it."""
    parents: dict[str, set[str]] = {}
    for line, row in _rows(path, ("conceptUri", "broaderUri")):
        child, parent = (row.get("conceptUri") or "").strip(), (row.get("broaderUri") or "").strip()
        if not child or not parent:
            raise DomainError(f"{path.name}, line {line}: conceptUri and broaderUri are needed.")
        parents.setdefault(child, set()).add(parent)
    return parents


def groups_of(uri: str, parents: dict[str, set[str]]) -> set[str]:
    """Every group above a concept, however far up."""
    seen: set[str] = set()
    todo = list(parents.get(uri, ()))
    while todo:
        group = todo.pop()
        if group not in seen:
            seen.add(group)
            todo.extend(parents.get(group, ()))
    return seen


def category_for(groups: set[str]) -> str:
    for group, category in CATEGORY_BY_GROUP.items():
        if group in groups:
            return category
    return DEFAULT_CATEGORY
