"""Skill proposals from text: the engine's finder against plain whole-name matching,
side by side on the labelled Dutch openings (matching/evaldata/skill_texts.jsonl).

    .venv/bin/python -m bench.skill_finder

No database: the taxonomy is read from marketplace/data/skills.json.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from matching.engine.skill_finder import Found, SkillFinder, evaluate

ROOT = Path(__file__).resolve().parents[1]


class WholeNames:
    """The baseline: a skill is named when one of its names occurs as whole words."""

    def __init__(self, skills: list[tuple[str, list[str]]]) -> None:
        self.patterns = [
            (slug, re.compile(r"(?<!\w)" + re.escape(name.casefold()) + r"(?!\w)"))
            for slug, names in skills
            for name in names
        ]

    def find(self, text: str, *, limit: int = 20) -> list[Found]:
        folded, found = text.casefold(), {}
        for slug, pattern in self.patterns:
            match = pattern.search(folded)
            if match and slug not in found:
                found[slug] = Found(slug, pattern.pattern, match.group(0), 1.0, match.start())
        return list(found.values())[:limit]


def main() -> None:
    skills = [
        (s["slug"], [s["label_nl"], s["label_en"], *s["synonyms"]])
        for s in json.loads((ROOT / "marketplace" / "data" / "skills.json").read_text())
    ]
    rows = [
        (r["text"], set(r["skills"]))
        for r in map(
            json.loads, (ROOT / "matching/evaldata/skill_texts.jsonl").read_text().splitlines()
        )
    ]
    started = time.perf_counter()
    finder = SkillFinder(skills)
    build = time.perf_counter() - started
    results = {}
    for name, method in (("whole names", WholeNames(skills)), ("finder", finder)):
        started = time.perf_counter()
        for _ in range(10):
            result = evaluate(method, rows)
        result["ms per text"] = (time.perf_counter() - started) * 1000 / (10 * len(rows))
        results[name] = result
    print(
        f"{len(rows)} texts, {results['finder']['labelled']} labelled skills; "
        f"finder built in {build * 1000:.0f} ms"
    )
    print(f"| {'':12} | {'whole names':>11} | {'finder':>8} | ratio |")
    print("|--------------|-------------|----------|-------|")
    for metric in ("recall", "precision", "proposed", "correct", "ms per text"):
        base, ours = results["whole names"][metric], results["finder"][metric]
        ratio = f"{ours / base:.2f}" if base else "-"
        fmt = "{:.3f}" if isinstance(base, float) else "{}"
        print(f"| {metric:12} | {fmt.format(base):>11} | {fmt.format(ours):>8} | {ratio:>5} |")


if __name__ == "__main__":
    main()
