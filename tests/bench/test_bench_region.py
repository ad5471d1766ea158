"""The region benchmark runs end to end at a tiny size, so it cannot rot unseen.
Its figures mean nothing at this size; that it runs the worker's path (top-k with
stretch lists, incremental with stretch) and prints every table is what counts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_region_benchmark_runs_at_a_tiny_size() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_region", "--profiles", "400", "--openings",
         "100", "--runs", "3", "--no-variants"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for heading in ("Full top-20 run", "Ratios", "Incremental", "Targets"):
        assert heading in out
    assert "engine top-k with stretch lists / without (same index)" in out
    assert "engine: build + top-k and stretch lists" in out
    assert out.count("load average") == 2  # at the start and at the end
