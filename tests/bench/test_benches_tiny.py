"""Every bench that needs no server runs at a tiny size in CI, so a change that
breaks one fails here, not months later on a quiet machine. The figures mean
nothing at these sizes; that each runs to the end and prints its tables does.
(``bench.bench_region`` has its own test; the benches that need PostgreSQL,
Redis, workers or gunicorn run in ``test_benches_live.py``.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_the_national_benchmark_runs_its_timed_part_and_its_blocking_check() -> None:
    out = _run(
        "bench.bench_national", "--profiles", "400", "--openings", "100", "--runs", "3",
        "--check-profiles", "300", "--check-openings", "100",
    )  # fmt: skip
    assert "Targets" in out
    assert "Blocked vs unblocked on samples of 300 profiles x 100 openings" in out
    # The blocked run keeps exactly what the unblocked one keeps, on every line.
    check_lines = [line for line in out.splitlines() if line.startswith(("national,", "region,"))]
    assert len(check_lines) == 12
    assert all(line.rstrip().endswith("yes") for line in check_lines)


def test_the_skill_finder_benchmark_runs() -> None:
    out = _run("bench.skill_finder")
    assert "recall" in out
    assert "precision" in out
