"""Region scale: full top-20 for 20,000 profiles x 5,000 openings, side by side.

Run from the project root::

    python -m bench.bench_region            # the full benchmark (about 5 minutes)
    python -m bench.bench_region --quick    # 4,000 x 1,000, to try the script

Every part runs in its own fresh process, so each peak memory (ru_maxrss) is that
part's own; "data" is the peak right after generating the records, included in
the part's peak. The parts:

- engine: ``MatchIndex.build`` (validate, fit, matrices) then
  ``top_k_for_profiles(20)``, all six features, blocked; then the incremental
  ``score_opening`` / ``score_profile``, and a timing of the engine by section;
- floor: the same ``TextModel`` fitted on the same texts, then a bare chunked
  sparse top-20 of the text similarity alone;
- straightforward: the same TF-IDF made dense, sklearn ``cosine_similarity``,
  then a full ``argsort`` of every row;
- variants: text representation choices (``min_df``, ``max_df``, char n-grams)
  in time, density and a crude quality proxy.
"""

from __future__ import annotations

import argparse
import re
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from bench.common import (
    LineTimer,
    Timer,
    engine_functions,
    git_commit,
    load_average,
    peak_rss_mb,
    run_part,
    table,
)
from bench.synthetic import generate, texts
from matching.engine import ENGINE_VERSION, MatchConfig, MatchIndex
from matching.engine.text import TextModel

K = 20
TARGET_FULL_S = 10.0
TARGET_FLOOR_RATIO = 3.0
TARGET_INCREMENTAL_MS = 10.0
DENSE_BUDGET_GB = 10.0  # the straightforward run goes dense only below this estimate
EXAMPLES = [
    ("CNC-draaier", "draaien op een CNC-draaibank"),
    ("lasser", "MIG/MAG lassen"),
    ("lasser", "PLC-programmeur"),  # a pair that should stay low
]


def _data(n_p: int, n_o: int, seed: int, trades: dict | None = None):
    profiles, openings, taxonomy = generate(n_p, n_o, scale="region", seed=seed, trades=trades)
    return profiles, openings, taxonomy, peak_rss_mb()


def floor_top_k(
    xp: sp.csr_matrix,
    xo: sp.csr_matrix,
    k: int,
    block_pairs: int = 4_000_000,
    threads: int = 1,
    product=None,
):
    """Bare chunked sparse top-k of the text similarity: product, toarray, argpartition.

    ``threads`` > 1 runs the chunks on a thread pool (scipy's sparse product and
    numpy release the GIL); ``product`` replaces scipy's ``a @ b``.
    """
    xot = xo.T.tocsr()
    step = max(1, block_pairs // xo.shape[0])
    best = np.empty((xp.shape[0], k), dtype=np.int64)
    nnz = [0]

    def chunk(start: int) -> None:
        block = xp[start : start + step]
        result = product(block, xot) if product else block @ xot
        nnz[0] += result.nnz
        scores = result.toarray()
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
        best[start : start + step] = np.take_along_axis(top, order, axis=1)

    starts = range(0, xp.shape[0], step)
    if threads > 1:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(chunk, starts))
    else:
        for start in starts:
            chunk(start)
    return best, nnz[0] / (xp.shape[0] * xo.shape[0])


def candidate_pairs(index: MatchIndex) -> int:
    """Pairs the blocked run scores (-1 when the engine's blocking changed its name)."""
    blocks = getattr(index, "_candidate_openings", None)
    if blocks is None:
        return -1
    return sum(len(r) * len(c) for r, c in blocks(np.arange(len(index.profiles))))


def trade_precision(rows: np.ndarray, cols: np.ndarray, trades: dict) -> float:
    """Share of suggested openings written about the profile's own trade (a crude proxy)."""
    p, o = np.asarray(trades["profiles"]), np.asarray(trades["openings"])
    return float(np.mean(p[rows] == o[cols])) if len(rows) else 0.0


# ----- parts (each runs in a fresh process) ------------------------------------------


def part_engine(n_p: int, n_o: int, seed: int, runs: int) -> dict:
    trades: dict = {}
    profiles, openings, taxonomy, data_mb = _data(n_p, n_o, seed, trades)
    config = MatchConfig()
    with Timer() as build:
        index = MatchIndex.build(
            profiles=profiles, openings=openings, taxonomy=taxonomy, config=config
        )
    # What the worker runs: the top-k and, in the same pass, the stretch lists.
    with Timer() as topk:
        top, stretch = index.top_k_and_stretch_for_profiles()
    with Timer() as plain:
        index.top_k_for_profiles(K)
    out = {
        "data_mb": data_mb,
        "build_s": build.s,
        "topk_s": topk.s,
        "topk_plain_s": plain.s,
        "stretch_results": len(stretch),
        "results": len(top),
        "pairs": candidate_pairs(index),
        "precision": trade_precision(top.rows, top.cols, trades),
    }
    # Incremental: new records (another seed) against the fitted index.
    new_p, new_o, _ = generate(runs, runs, scale="region", seed=seed + 1000)
    for name, fn, records in (
        ("opening", index.score_opening, new_o),
        ("profile", index.score_profile_with_stretch, new_p),
    ):
        fn(records[0])  # warm up
        times = []
        for r in records:
            t0 = time.perf_counter()
            fn(r)
            times.append(time.perf_counter() - t0)
        out[f"inc_{name}_ms"] = float(np.median(times) * 1e3)
        out[f"inc_{name}_p90_ms"] = float(np.percentile(times, 90) * 1e3)
    out["peak_mb"] = peak_rss_mb()
    # Where the time goes (after the peak was read, so it does not count).
    _, out["traced_build_s"], out["trace_build"] = traced(
        MatchIndex.build, profiles=profiles, openings=openings, taxonomy=taxonomy, config=config
    )
    _, out["traced_topk_s"], out["trace_topk"] = traced(index.top_k_for_profiles, K)

    def score_all(records):
        for r in records:
            index.score_opening(r)

    _, out["traced_inc_s"], out["trace_inc"] = traced(score_all, new_o)

    def score_all_profiles(records):
        for r in records:
            index.score_profile(r)

    _, out["traced_incp_s"], out["trace_incp"] = traced(score_all_profiles, new_p)
    return out


def part_floor(n_p: int, n_o: int, seed: int) -> dict:
    trades: dict = {}
    profiles, openings, _, data_mb = _data(n_p, n_o, seed, trades)
    p_texts, o_texts = texts(profiles, openings)
    config = MatchConfig()
    model = TextModel(config)
    # The same work the engine does for text: one fit_transform, then the product on
    # as many threads as the engine uses.
    with Timer() as fit:
        both = model.fit_transform(p_texts + o_texts)
    with Timer() as vec:
        xp, xo = both[:n_p], both[n_p:]
    with Timer() as prod:
        best, density = floor_top_k(xp, xo, K, threads=config.workers)
    rows = np.repeat(np.arange(n_p), K)
    return {
        "data_mb": data_mb,
        "fit_s": fit.s,
        "vec_s": vec.s,
        "topk_s": prod.s,
        "density": density,
        "precision": trade_precision(rows, best.ravel(), trades),
        "features": xp.shape[1],
        "peak_mb": peak_rss_mb(),
    }


def part_straightforward(n_p: int, n_o: int, seed: int, dense: bool) -> dict:
    from sklearn.metrics.pairwise import cosine_similarity

    profiles, openings, _, data_mb = _data(n_p, n_o, seed)
    p_texts, o_texts = texts(profiles, openings)
    model = TextModel(MatchConfig())
    with Timer() as fit:
        model.fit(p_texts + o_texts)
    with Timer() as vec:
        xp, xo = model.transform(p_texts), model.transform(o_texts)
        # The engine hashes n-grams into 3M columns; a straightforward implementation
        # has a vocabulary instead, so keep only the columns some text uses.
        used = np.unique(np.concatenate([xp.indices, xo.indices]))
        xp, xo = xp[:, used], xo[:, used]
    n_feat = xp.shape[1]
    # dense inputs, normalised copies inside cosine_similarity, the scores, the argsort
    estimate_gb = ((n_p + n_o) * n_feat * 4 * 2 + n_p * n_o * (4 + 8)) / 1e9
    rows = n_p
    if dense and estimate_gb > DENSE_BUDGET_GB:
        scale = DENSE_BUDGET_GB / estimate_gb
        rows = max(100, int(n_p * scale))
    xp_used = xp[:rows]
    with Timer() as densify:
        left, right = (xp_used.toarray(), xo.toarray()) if dense else (xp_used, xo)
    with Timer() as cosine:
        scores = cosine_similarity(left, right)
    with Timer() as sort:
        order = np.argsort(-scores, axis=1)
        top = order[:, :K]
    assert top.shape == (rows, K)
    factor = n_p / rows
    return {
        "data_mb": data_mb,
        "fit_s": fit.s,
        "vec_s": vec.s,
        "densify_s": densify.s * factor,
        "cosine_s": cosine.s * factor,
        "sort_s": sort.s * factor,
        "rows": rows,
        "estimate_gb": estimate_gb,
        "peak_mb": peak_rss_mb(),
    }


def part_products(n_p: int, n_o: int, seed: int) -> dict:
    """Ways to compute the text product + top-20 on this 2-core machine, same matrices."""
    profiles, openings, _, _ = _data(n_p, n_o, seed)
    p_texts, o_texts = texts(profiles, openings)
    model = TextModel(MatchConfig()).fit(p_texts + o_texts)
    xp, xo = model.transform(p_texts), model.transform(o_texts)
    results = []

    def agreement(best: np.ndarray) -> float:
        return float(
            np.mean([len(np.intersect1d(a, b)) / K for a, b in zip(best, ref, strict=True)])
        )

    with Timer() as s:
        ref, _ = floor_top_k(xp, xo, K)
    results.append(("scipy a @ b, 1 thread (the floor)", s.s, 1.0))
    with Timer() as s:
        best, _ = floor_top_k(xp, xo, K, threads=2)
    results.append(("scipy a @ b, chunks on 2 threads", s.s, agreement(best)))
    try:
        from sparse_dot_topn import sp_matmul, sp_matmul_topn
    except ImportError:
        return {"products": results, "sdt": False}
    for threads in (1, 2):
        with Timer() as s:
            fused = sp_matmul_topn(xp, xo.T.tocsr(), top_n=K, n_threads=threads, sort=True)
        best = np.array([fused.indices[fused.indptr[i] : fused.indptr[i + 1]] for i in range(n_p)])
        results.append(
            (f"sparse_dot_topn sp_matmul_topn, {threads} thread(s)", s.s, agreement(best))
        )
    with Timer() as s:
        best, _ = floor_top_k(xp, xo, K, product=lambda a, b: sp_matmul(a, b, n_threads=2))
    results.append(("sparse_dot_topn sp_matmul (2 threads) + toarray", s.s, agreement(best)))
    return {"products": results, "sdt": True}


VARIANTS: list[tuple[str, dict]] = [
    ("untuned min_df=1 max_df=1.0", {"min_df": 1, "max_df": 1.0}),
    ("default min_df=2 max_df=0.5", {}),
    ("min_df=5 max_df=0.2", {"min_df": 5, "max_df": 0.2}),
    ("min_df=5 max_df=0.05", {"min_df": 5, "max_df": 0.05}),
    ("char (3,4), min_df=2 max_df=0.5", {"char_ngrams": (3, 4)}),
    ("char (4,5), min_df=2 max_df=0.5", {"char_ngrams": (4, 5)}),
    ("char (4,5), min_df=5 max_df=0.2", {"char_ngrams": (4, 5), "min_df": 5, "max_df": 0.2}),
]


def part_variants(n_p: int, n_o: int, seed: int) -> dict:
    trades: dict = {}
    profiles, openings, _, _ = _data(n_p, n_o, seed, trades)
    p_texts, o_texts = texts(profiles, openings)
    rows = np.repeat(np.arange(n_p), K)
    results, reference = [], None
    for name, kwargs in VARIANTS:
        model = TextModel(MatchConfig(**kwargs))
        with Timer() as fit:
            model.fit(p_texts + o_texts)
        with Timer() as vec:
            xp, xo = model.transform(p_texts), model.transform(o_texts)
        with Timer() as prod:
            best, density = floor_top_k(xp, xo, K)
        if reference is None:
            reference = best
        overlap = np.mean(
            [len(np.intersect1d(a, b)) / K for a, b in zip(best, reference, strict=True)]
        )
        examples = []
        for a, b in EXAMPLES:
            va, vb = model.transform([a]), model.transform([b])
            examples.append(float((va @ vb.T).toarray()[0, 0]))
        results.append(
            {
                "name": name,
                "fit_s": fit.s,
                "vec_s": vec.s,
                "topk_s": prod.s,
                "features": xp.shape[1],
                "nnz_row": (xp.nnz + xo.nnz) / (n_p + n_o),
                "density": density,
                "precision": trade_precision(rows, best.ravel(), trades),
                "overlap": float(overlap),
                "examples": examples,
            }
        )
    return {"variants": results}


# ----- where the engine's time goes ----------------------------------------------------


def traced(fn, *args, **kwargs) -> tuple[object, float, list]:
    """Run ``fn`` with the engine's statements timed (LineTimer); result, seconds, report."""
    with LineTimer(engine_functions()) as timer, Timer() as wall:
        result = fn(*args, **kwargs)
    return result, wall.s, timer.report()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profiles", type=int, default=20_000)
    parser.add_argument("--openings", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=50, help="incremental repetitions")
    parser.add_argument("--quick", action="store_true", help="4,000 x 1,000")
    parser.add_argument("--no-variants", action="store_true")
    args = parser.parse_args()
    n_p, n_o = (4_000, 1_000) if args.quick else (args.profiles, args.openings)
    started = time.perf_counter()
    print(
        f"Region scale: {n_p:,} profiles x {n_o:,} openings, top-{K}, seed {args.seed}; "
        f"engine {ENGINE_VERSION} at commit {git_commit()}; {load_average()} at the start."
    )
    print("Each part runs in a fresh process; 'data MB' is its peak after generating records.")

    engine = run_part(part_engine, n_p, n_o, args.seed, args.runs)
    floor = run_part(part_floor, n_p, n_o, args.seed)
    dense = run_part(part_straightforward, n_p, n_o, args.seed, True)
    sparse_in = run_part(part_straightforward, n_p, n_o, args.seed, False)
    products = run_part(part_products, n_p, n_o, args.seed)
    variants = None if args.no_variants else run_part(part_variants, n_p, n_o, args.seed)

    engine_total = engine["build_s"] + engine["topk_s"]
    floor_total = floor["fit_s"] + floor["vec_s"] + floor["topk_s"]
    totals = {}
    for name, d in (("dense", dense), ("sparse", sparse_in)):
        totals[name] = d["fit_s"] + d["vec_s"] + d["densify_s"] + d["cosine_s"] + d["sort_s"]
    sub = (
        f" [measured on {dense['rows']:,} profiles, x{n_p / dense['rows']:.1f} extrapolated]"
        if dense["rows"] < n_p
        else ""
    )
    rows = [
        (
            "engine: build + top-k and stretch lists (6 features, blocked)",
            engine["build_s"],
            engine["topk_s"],
            engine_total,
            engine["pairs"],
            engine["data_mb"],
            engine["peak_mb"],
        ),
        (
            "floor: TextModel fit+transform, chunked sparse top-20",
            floor["fit_s"] + floor["vec_s"],
            floor["topk_s"],
            floor_total,
            n_p * n_o,
            floor["data_mb"],
            floor["peak_mb"],
        ),
        (
            "straightforward: dense TF-IDF, cosine_similarity, argsort" + sub,
            dense["fit_s"] + dense["vec_s"],
            dense["densify_s"] + dense["cosine_s"] + dense["sort_s"],
            totals["dense"],
            n_p * n_o,
            dense["data_mb"],
            dense["peak_mb"],
        ),
        (
            "  same, sparse TF-IDF into cosine_similarity (dense out)",
            sparse_in["fit_s"] + sparse_in["vec_s"],
            sparse_in["cosine_s"] + sparse_in["sort_s"],
            totals["sparse"],
            n_p * n_o,
            sparse_in["data_mb"],
            sparse_in["peak_mb"],
        ),
    ]
    print(
        table(
            f"Full top-{K} run (seconds; peak RSS in MB)",
            [
                "implementation",
                "fit+vectorise",
                "score+top-k",
                "total",
                "pairs",
                "data MB",
                "peak MB",
            ],
            rows,
        )
    )
    print(
        f"straightforward dense detail: densify {dense['densify_s']:.2f} s, cosine_similarity "
        f"{dense['cosine_s']:.2f} s, argsort {dense['sort_s']:.2f} s; estimated dense memory "
        f"{dense['estimate_gb']:.1f} GB{sub}"
    )
    print(
        f"text product density (share of pairs with any shared n-gram): {floor['density']:.3f}; "
        f"TF-IDF features: {floor['features']:,}"
    )
    ratios = [
        ("engine total / floor total", engine_total / floor_total),
        ("engine top-k / floor top-k (fitting excluded)", engine["topk_s"] / floor["topk_s"]),
        (
            "engine top-k with stretch lists / without (same index)",
            engine["topk_s"] / engine["topk_plain_s"],
        ),
        ("straightforward (dense) / engine" + sub, totals["dense"] / engine_total),
        ("straightforward (sparse in) / engine", totals["sparse"] / engine_total),
    ]
    print(table("Ratios (measured side by side in this run)", ["ratio", "x"], ratios))
    inc = [
        (
            f"score_opening: 1 opening vs {n_p:,} profiles",
            engine["inc_opening_ms"],
            engine["inc_opening_p90_ms"],
        ),
        (
            f"score_profile: 1 profile vs {n_o:,} openings",
            engine["inc_profile_ms"],
            engine["inc_profile_p90_ms"],
        ),
    ]
    print(table(f"Incremental ({args.runs} new records each, ms)", ["call", "median", "p90"], inc))

    met = [
        (
            f"region full run incl. fitting < {TARGET_FULL_S:.0f} s",
            f"{engine_total:.1f} s",
            "yes" if engine_total < TARGET_FULL_S else "NO",
        ),
        (
            f"within {TARGET_FLOOR_RATIO:.0f}x the floor",
            f"{engine_total / floor_total:.2f}x",
            "yes" if engine_total / floor_total <= TARGET_FLOOR_RATIO else "NO",
        ),
        (
            f"incremental (score_opening) < {TARGET_INCREMENTAL_MS:.0f} ms",
            f"{engine['inc_opening_ms']:.1f} ms",
            "yes" if engine["inc_opening_ms"] < TARGET_INCREMENTAL_MS else "NO",
        ),
        (
            f"incremental (score_profile) < {TARGET_INCREMENTAL_MS:.0f} ms",
            f"{engine['inc_profile_ms']:.1f} ms",
            "yes" if engine["inc_profile_ms"] < TARGET_INCREMENTAL_MS else "NO",
        ),
    ]
    print(table("Targets (issue 4)", ["target", "measured", "met"], met))

    header = ["function / statement (inclusive)", "where", "s"]
    for key, wall, title in (
        ("build", "traced_build_s", "MatchIndex.build"),
        ("topk", "traced_topk_s", f"top_k_for_profiles({K})"),
        ("inc", "traced_inc_s", f"{args.runs} x score_opening"),
        ("incp", "traced_incp_s", f"{args.runs} x score_profile"),
    ):
        print(
            table(
                f"Where {title} time goes (traced run: {engine[wall]:.2f} s with tracing)",
                header,
                engine[f"trace_{key}"],
            )
        )
    note = "" if products["sdt"] else " (sparse_dot_topn not importable: its rows skipped)"
    print(
        table(
            f"Text product + top-{K} on this machine (same TF-IDF; agreement = share of "
            f"the floor's top-{K}){note}",
            ["method", "s", "agreement"],
            products["products"],
        )
    )
    if variants:
        vrows = [
            (
                v["name"],
                v["fit_s"],
                v["vec_s"],
                v["topk_s"],
                v["fit_s"] + v["vec_s"] + v["topk_s"],
                v["features"],
                v["nnz_row"],
                v["density"],
                v["precision"],
                v["overlap"],
                *v["examples"],
            )
            for v in variants["variants"]
        ]
        names = [
            f"cos {re.sub(r'[^a-z]+', '', a.lower())}~{b.split()[-1][:8]}" for a, b in EXAMPLES
        ]
        print(
            table(
                "Text representation variants (floor pipeline; s; precision = own-trade share "
                f"of text top-{K}; overlap = with untuned top-{K}; last columns: cosines)",
                [
                    "variant",
                    "fit",
                    "transform",
                    "top-k",
                    "total",
                    "features",
                    "nnz/text",
                    "density",
                    "precision",
                    "overlap",
                    *names,
                ],
                vrows,
            )
        )
    print(f"\nwall time of this benchmark: {time.perf_counter() - started:.0f} s")
    print(f"{load_average()} at the end")


if __name__ == "__main__":
    main()
