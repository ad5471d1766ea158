"""Labels for a held-out evaluation set, from its annotations and the written rules.

    python -m matching.heldout_labels matching/evaldata/heldout-a [--check]

Reads ``openings.jsonl``, ``profiles.jsonl`` and ``annotations.jsonl`` in the given
directory and writes ``labels.jsonl`` next to them (``--check`` only compares and
exits 1 when the file differs). The rule is the one in docs/algorithm.md, "Held-out
sets: labelling rules", written before the sets: relevance from the occupation a
counsellor annotated (3 main goal, 2 another goal, 1 adjacent), set to 0 where a
counsellor would not put the pair forward at all.

This module deliberately does not use the engine: the eligibility rules are written
out again here from the documentation, so a bug in the engine's rules cannot make the
labels agree with it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLACES = ROOT / "marketplace" / "data" / "places.json"

OCCUPATIONS = frozenset(
    {
        "cnc-verspaner",
        "lasser-constructie",
        "plaatwerker",
        "elektromonteur",
        "mechatronicus",
        "onderhoudsmonteur",
        "installatiemonteur",
        "procesoperator",
        "kunststofverwerker",
        "hout-meubel",
        "werkvoorbereider-tekenaar",
        "kwaliteitscontroleur",
        "productie-assemblage",
        "logistiek-magazijn",
    }
)
# The Dutch education levels on one scale (havo sits beside mbo 3, vwo beside mbo 4).
RANKS = {
    "vmbo": 0,
    "mbo1": 1,
    "mbo2": 2,
    "mbo3": 3,
    "havo": 3,
    "mbo4": 4,
    "vwo": 4,
    "hbo": 5,
    "wo": 6,
}
EXACT_TYPES = frozenset({"bol", "bbl", "orientation", "graduation"})
RECOGNISED_TYPES = frozenset({"bol", "bbl"})
OPEN_END_DAYS = 180
EARTH_KM = 6371.0


class LabelError(ValueError):
    """An annotation the rule cannot use; the message names file, line and id."""


def _read(path: Path) -> list[tuple[int, dict[str, Any]]]:
    rows = []
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.strip():
            rows.append((number, json.loads(line)))
    return rows


def _level(text: str | None) -> str | None:
    if not text:
        return None
    compact = re.sub(r"[\s_-]+", "", text).casefold()
    return compact if compact in RANKS else None


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))


def _point(place: Any, places: Mapping[str, tuple[float, float]]) -> tuple[float, float] | None:
    if isinstance(place, dict):
        return (float(place["lat"]), float(place["lon"]))
    return places.get(place) if place else None


def places_read(path: Path = PLACES) -> dict[str, tuple[float, float]]:
    return {p["name"]: (p["latitude"], p["longitude"]) for p in json.loads(path.read_text("utf-8"))}


def eligible(opening: Mapping, profile: Mapping, places: Mapping[str, tuple[float, float]]) -> bool:
    """Would a counsellor put this pair forward at all? Rule 2 of the labelling rules."""
    kind = opening["type"]
    if kind not in profile.get("types", []):
        return False
    if kind in RECOGNISED_TYPES and not opening.get("company_recognised", True):
        return False
    here, there = _point(profile.get("place"), places), _point(opening.get("place"), places)
    radius = profile.get("radius_km")
    if here and there and radius is not None and _km(here, there) > float(radius):
        return False
    level = _level(profile.get("level"))
    accepted = [lv for lv in (_level(x) for x in opening.get("levels") or []) if lv]
    if level and accepted:
        if kind in EXACT_TYPES and level not in accepted:
            return False
        if kind not in EXACT_TYPES and RANKS[level] < min(RANKS[lv] for lv in accepted):
            return False
    start, end = _date(opening.get("start")), _date(opening.get("end"))
    if start or end:
        start = start or dt.date.min
        end = end or (start + dt.timedelta(days=OPEN_END_DAYS))
        available_from = _date(profile.get("available_from")) or dt.date.min
        available_to = _date(profile.get("available_to")) or dt.date.max
        if available_from > end or available_to < start:
            return False
    asked, can = opening.get("hours"), profile.get("hours")
    return not (asked and can is not None and can < asked / 2)


def relevance(occupation: str, goals: Sequence[str], adjacent: Sequence[str]) -> int:
    """Rule 1: 3 for the main goal, 2 for another goal, 1 for an adjacent occupation."""
    if goals and occupation == goals[0]:
        return 3
    if occupation in goals:
        return 2
    return 1 if occupation in adjacent else 0


def labels_make(directory: Path, places: Mapping[str, tuple[float, float]]) -> list[dict]:
    """Every pair with relevance above 0, in file order (unlabelled pairs count as 0)."""
    openings = [row for _, row in _read(directory / "openings.jsonl")]
    profiles = [row for _, row in _read(directory / "profiles.jsonl")]
    occupation: dict[str, str] = {}
    wishes: dict[str, tuple[list[str], list[str]]] = {}
    annotations = directory / "annotations.jsonl"
    for line, row in _read(annotations):
        codes = [row.get("occupation")] if "opening" in row else row.get("goals", [])
        codes = [*codes, *row.get("adjacent", [])]
        unknown = [c for c in codes if c not in OCCUPATIONS]
        if unknown:
            raise LabelError(f"{annotations}, line {line}: unknown occupation {unknown[0]!r}")
        if "opening" in row:
            occupation[row["opening"]] = row["occupation"]
        else:
            wishes[row["profile"]] = (row.get("goals", []), row.get("adjacent", []))
    missing = [o["id"] for o in openings if o["id"] not in occupation]
    missing += [p["id"] for p in profiles if p["id"] not in wishes]
    if missing:
        raise LabelError(f"{annotations}: no annotation for {', '.join(missing[:5])}")
    labels = []
    for profile in profiles:
        goals, adjacent = wishes[profile["id"]]
        for opening in openings:
            rel = relevance(occupation[opening["id"]], goals, adjacent)
            if rel and eligible(opening, profile, places):
                labels.append(
                    {"profile": profile["id"], "opening": opening["id"], "relevance": rel}
                )
    return labels


def labels_text(labels: Sequence[Mapping]) -> str:
    return "".join(json.dumps(label, ensure_ascii=False) + "\n" for label in labels)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    try:
        labels = labels_make(args.directory, places_read())
    except (LabelError, OSError, json.JSONDecodeError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    text, target = labels_text(labels), args.directory / "labels.jsonl"
    if args.check:
        same = target.exists() and target.read_text("utf-8") == text
        print(f"{target}: {'up to date' if same else 'differs from the annotations'}")
        return 0 if same else 1
    target.write_text(text, "utf-8")
    profiles = {label["profile"] for label in labels}
    strong = {label["profile"] for label in labels if label["relevance"] >= 2}
    total = sum(1 for _ in _read(args.directory / "profiles.jsonl"))
    print(
        f"{target}: {len(labels)} labels; {len(profiles)} of {total} profiles have one, "
        f"{len(strong)} have one of relevance >= 2"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
