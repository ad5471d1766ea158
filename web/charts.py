"""Charts as plain SVG, drawn on the server: no script, and every chart has its
figures in a table beside it for screen readers and for copying."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 40, 16, 40


@dataclass
class Series:
    name: str
    css: str  # a class in site.css that gives the colour and the dash
    points: list[tuple[float, float]]  # (x, y) in the picture
    labels: list[str]  # the value at each point, as shown


def _scale(values: list[float | None]) -> float:
    top = max([v for v in values if isinstance(v, int | float)] or [0])
    return top if top > 0 else 1


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def line_chart(rows: list[dict], x_key: str, series: list[tuple[str, str, str]]) -> dict:
    """A line per series (key, name, css class) over ``rows``; hidden values
    ("<5") leave a gap in their line."""
    top = _scale([_number(r[key]) for r in rows for key, _n, _c in series])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(rows) - 1, 1)
    drawn = []
    for key, name, css in series:
        points, labels = [], []
        for i, row in enumerate(rows):
            value = _number(row[key])
            if value is not None:
                points.append((LEFT + i * step, TOP + plot_h * (1 - value / top)))
                labels.append(str(row[key]))
        drawn.append(Series(name, css, points, labels))
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "series": [
            {
                "name": s.name,
                "css": s.css,
                "path": " ".join(f"{x:.1f},{y:.1f}" for x, y in s.points),
                "dots": [
                    {"x": round(x, 1), "y": round(y, 1), "label": label}
                    for (x, y), label in zip(s.points, s.labels, strict=True)
                ],
            }
            for s in drawn
        ],
        "ticks": [
            {"x": round(LEFT + i * step, 1), "y": TOP + plot_h + 22, "label": row[x_key]}
            for i, row in enumerate(rows)
        ],
        "axis": _axis(top, plot_h),
        "axis_label_x": LEFT - 6,
        "baseline_y": TOP + plot_h,
        "left": LEFT,
        "right": WIDTH - RIGHT,
    }


def bar_chart(rows: list[dict], series: list[tuple[str, str, str]]) -> dict:
    """Grouped horizontal bars: one group per row, one bar per series."""
    bar, gap, label_w = 14, 10, 150
    top = _scale([_number(r[key]) for r in rows for key, _n, _c in series])
    plot_w = WIDTH - label_w - RIGHT - 40
    groups, y = [], TOP
    for row in rows:
        bars = []
        for i, (key, name, css) in enumerate(series):
            value = _number(row[key])
            bars.append(
                {
                    "y": y + i * bar,
                    "width": round(plot_w * (value or 0) / top, 1),
                    "css": css,
                    "name": name,
                    "label": str(row[key]),
                }
            )
        groups.append({"label": row["label"], "y": y, "text_y": y + bar, "bars": bars})
        y += bar * len(series) + gap
    return {
        "width": WIDTH,
        "height": max(y + BOTTOM // 2, 60),
        "label_width": label_w,
        "label_x": label_w - 8,
        "groups": groups,
        "bar_height": bar - 2,
    }


def _axis(top: float, plot_h: float) -> list[dict]:
    return [{"y": round(TOP + plot_h * (1 - f), 1), "label": f"{top * f:g}"} for f in (0, 0.5, 1)]
