"""Reading the official ESCO CSV export (https://esco.ec.europa.eu, "Download"):
``skills_<lang>.csv`` with ``conceptUri``, ``preferredLabel``, ``altLabels`` (one
per line), ``description``; ``broaderRelationsSkillPillar.csv`` with
``conceptUri`` and ``broaderUri``, which places every skill in the skill groups;
``occupationSkillRelations_<lang>.csv`` with ``occupationUri``, ``relationType``
(essential or optional) and ``skillUri``: which skills each occupation needs; and
``occupations_<lang>.csv`` with ``conceptUri`` and ``iscoGroup``.

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
ESCO_OCCUPATION = "http://data.europa.eu/esco/occupation/"
# ISCO-08 groups whose occupations the region's companies hire: engineering
# technicians (311), building and related trades (71: installers, plumbers),
# metal and machinery (72), electrical and electronics (74), plant and machine
# operators (81), assemblers (82), drivers and mobile plant (83), labourers in
# manufacturing and transport (93), stock clerks (432).
DEFAULT_ISCO = ("311", "71", "72", "74", "81", "82", "83", "93", "432")
RELATION_TYPES = ("essential", "optional")
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


def relations_read(path: Path, *, types: Iterable[str] = RELATION_TYPES) -> dict[str, set[str]]:
    """For each skill, the occupations that need it (of the relation ``types``)."""
    wanted = set(types)
    needed: dict[str, set[str]] = {}
    for line, row in _rows(path, ("occupationUri", "relationType", "skillUri")):
        occupation = (row.get("occupationUri") or "").strip()
        kind = (row.get("relationType") or "").strip()
        skill = (row.get("skillUri") or "").strip()
        if not occupation.startswith(ESCO_OCCUPATION) or kind not in RELATION_TYPES or not skill:
            raise DomainError(
                f"{path.name}, line {line}: an occupation URI, a relation type "
                "(essential or optional) and a skill URI are needed."
            )
        if kind in wanted:
            needed.setdefault(skill, set()).add(occupation)
    return needed


def occupations_read(path: Path) -> dict[str, str]:
    """Each occupation's ISCO-08 group code."""
    isco: dict[str, str] = {}
    for line, row in _rows(path, ("conceptUri", "iscoGroup")):
        uri, group = (row.get("conceptUri") or "").strip(), (row.get("iscoGroup") or "").strip()
        if not uri.startswith(ESCO_OCCUPATION) or not group.isdigit():
            raise DomainError(
                f"{path.name}, line {line}: an occupation URI and ISCO group are needed."
            )
        isco[uri] = group
    return isco


def skills_needed(
    needed: dict[str, set[str]], isco: dict[str, str] | None, prefixes: Iterable[str]
) -> set[str]:
    """The skills some occupation needs; with ``isco``, only occupations whose ISCO
    group starts with one of ``prefixes``."""
    if isco is None:
        return set(needed)
    kept = tuple(prefixes)
    return {
        skill
        for skill, occupations in needed.items()
        if any(isco.get(o, "").startswith(kept) for o in occupations)
    }
