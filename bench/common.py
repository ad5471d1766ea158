"""Helpers shared by the benchmarks: fresh processes per part, memory, tables."""

from __future__ import annotations

import ast
import functools
import inspect
import linecache
import multiprocessing
import os
import resource
import sys
import textwrap
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def load_average() -> str:
    """The machine's load average (1, 5, 15 minutes) and its cores: a busy or slowed
    machine shows here, so absolute times can be read for what they are."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def _cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) jiffies of the whole machine from /proc/stat; None elsewhere."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


class CpuBusy:
    """``with CpuBusy() as cpu: ...`` then ``cpu.cores`` holds how many of the
    machine's cores were busy on average (every process: workers and PostgreSQL
    alike), or None where /proc/stat is missing. One worker that keeps 1.7 of 2
    cores busy can be sped up at most 2 / 1.7 = 1.2x by a second one."""

    def __enter__(self) -> CpuBusy:
        self.start = _cpu_ticks()
        self.cores: float | None = None
        return self

    def __exit__(self, *exc: object) -> None:
        end = _cpu_ticks()
        if self.start is None or end is None or end[1] == self.start[1]:
            return
        share = (end[0] - self.start[0]) / (end[1] - self.start[1])
        self.cores = share * (os.cpu_count() or 1)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_part(fn: Callable[..., dict], *args: object) -> dict:
    """Run ``fn(*args)`` in a fresh interpreter so its peak memory is its own."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(fn, *args).result()


class Timer:
    """``with Timer() as t: ...`` then ``t.s`` holds the seconds."""

    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.s = time.perf_counter() - self.start


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain text table; the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in header]] + [[_fmt(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)
        )

    rule = "-" * len(line(cells[0]))
    body = [line(cells[0]), rule, *(line(r) for r in cells[1:])]
    return "\n".join([f"\n{title}", rule, *body])


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}" if abs(value) >= 0.01 else f"{value:.2g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class LineTimer:
    """Inclusive wall time per statement of chosen functions, via ``sys.settrace``.

    It reads the engine's own code as it runs, so it stays right when the engine
    changes. A statement's time includes the functions it calls (inclusive); a
    generator's time counts only while it runs. Tracing adds a little overhead.
    """

    def __init__(self, functions: Sequence[Callable]) -> None:
        self.codes = {}
        for f in functions:
            f = getattr(f, "__func__", f)
            if hasattr(f, "__code__"):
                self.codes[f.__code__] = f
        self.times: dict[tuple, float] = defaultdict(float)
        self.state: dict[object, tuple[float, int]] = {}

    def _global(self, frame, event, arg):
        if event == "call" and frame.f_code in self.codes:
            self.state[frame] = (time.perf_counter(), frame.f_lineno)
            return self._local
        return None

    def _local(self, frame, event, arg):
        now = time.perf_counter()
        if event in ("line", "return"):
            start, line = self.state.get(frame, (now, frame.f_lineno))
            self.times[(frame.f_code, line)] += now - start
        if event == "return":
            self.state.pop(frame, None)
        elif event == "line":
            self.state[frame] = (time.perf_counter(), frame.f_lineno)
        return self._local

    def __enter__(self) -> LineTimer:
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc: object) -> None:
        sys.settrace(None)

    def report(self, min_share: float = 0.02, top: int = 8) -> list[tuple[str, str, float]]:
        """Per function (busiest first): (where, statement, seconds) rows; the function's
        own row is the sum of its statements (inclusive of what they call)."""
        by_code: dict = defaultdict(lambda: defaultdict(float))
        for (code, line), s in self.times.items():
            by_code[code][_statement_start(code, line)] += s
        grand = max((sum(v.values()) for v in by_code.values()), default=0.0) or 1.0
        rows = []
        for code, lines in sorted(by_code.items(), key=lambda kv: -sum(kv[1].values())):
            total = sum(lines.values())
            if total < min_share * grand:
                continue
            name = getattr(self.codes[code], "__qualname__", code.co_name)
            rows.append(
                (f"{name}()", f"{Path(code.co_filename).name}:{code.co_firstlineno}", total)
            )
            busiest = sorted(lines.items(), key=lambda kv: -kv[1])[:top]
            for line, s in busiest:
                if s >= min_share * grand:
                    rows.append((f"  :{line} {_source(code, line)}", "", s))
        return rows


@functools.cache
def _statement_starts(code) -> dict[int, int]:
    """Line -> first line of the innermost statement holding it."""
    try:
        lines, first = inspect.getsourcelines(code)
    except (OSError, TypeError):
        return {}
    tree = ast.parse(textwrap.dedent("".join(lines)))
    starts: dict[int, int] = {}
    for node in ast.walk(tree):  # breadth first: inner statements overwrite outer ones
        if isinstance(node, ast.stmt):
            body = getattr(node, "body", None)
            end = body[0].lineno - 1 if body and isinstance(body, list) else node.end_lineno
            for line in range(node.lineno, max(end, node.lineno) + 1):
                starts[line + first - 1] = node.lineno + first - 1
    return starts


def _statement_start(code, line: int) -> int:
    return _statement_starts(code).get(line, line)


def _source(code, line: int, width: int = 64) -> str:
    text = linecache.getline(code.co_filename, line).strip()
    return text if len(text) <= width else text[: width - 3] + "..."


def engine_functions() -> list[Callable]:
    """Every function and method defined in the engine's core, text and geo modules."""
    from matching.engine import core, geo, text

    found = []
    for module in (core, geo, text):
        for obj in vars(module).values():
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                found.append(obj)
            elif inspect.isclass(obj):
                for member in vars(obj).values():
                    member = getattr(member, "__func__", member)
                    if inspect.isfunction(member):
                        found.append(member)
    return found


def git_commit(root: Path | None = None) -> str:
    """The checked-out commit, read from .git (no subprocess)."""
    git = (root or Path(__file__).resolve().parent.parent) / ".git"
    try:
        head = (git / "HEAD").read_text().strip()
        if head.startswith("ref: "):
            ref = head[5:]
            path = git / ref
            if path.exists():
                return path.read_text().strip()[:12]
            for row in (git / "packed-refs").read_text().splitlines():
                if row.endswith(" " + ref):
                    return row.split()[0][:12]
        return head[:12]
    except OSError:
        return "unknown"
