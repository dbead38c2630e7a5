"""Read a Morris screen of the calibration targets and say which parameters matter.

Run the screen first (a sweep, resumable, local or on Dask), and the seed-noise runs::

    hikisim sensitivity experiments/calibration_screen.toml --out results/calibration_screen
    hikisim sweep experiments/calibration_seed_noise.toml --out results/calibration_seed_noise

then::

    .venv/bin/python experiments/calibration_screen.py results/calibration_screen \
        --seed-noise results/calibration_seed_noise

Morris's mu* (SALib) is the mean absolute change of an outcome when a parameter moves
across its whole range. Targets differ in scale (MEXT's 1% against Koyama's 55%), so each
mu* is divided by its target's tolerance half-width: an influence of 1 means that moving
the parameter across its range moves the target by as much as the target's tolerance
allows.

mu* averages absolute effects, so a parameter that only perturbs the random paths has a
positive mu* too. The seed floor is what such a parameter would show: if the two runs of
an elementary effect differed as two seeds do (standard deviation sigma of the target over
the seed-noise runs), the effect would be (y2 - y1) / delta with y2 - y1 ~ N(0, 2 sigma^2),
whose mean absolute value is 2 sigma / (delta sqrt(pi)), delta being the Morris step
(2/3 of the range with 4 levels). Runs on common seeds differ less than that, so the floor
is conservative. A parameter is kept when it moves some target by at least ``--keep``
(default 0.5) of a half-width and by more than the seed floor there. Without
``--seed-noise`` the second test falls back to mu*'s bootstrap half-width over the
trajectories, which is weaker (it is not seed noise).

Prints a Markdown table (parameters by largest influence, each with the target it moves
most), writes it to ``DIR/screen.md`` and the full matrix to ``DIR/screen.csv``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from hikisim.sweeps import load_results
from hikisim.sweeps.storage import SweepStore
from hikisim.targets import load_targets

OUTCOME_PREFIX = "targets."


def morris_step(levels: int) -> float:
    """SALib's Morris step on the unit scale: levels / (2 (levels - 1))."""
    return levels / (2 * (levels - 1))


def seed_floor(sigma: float, levels: int) -> float:
    """Mean |elementary effect| of a parameter whose runs differ only as seeds do."""
    return 2 * sigma / (morris_step(levels) * math.sqrt(math.pi))


def seed_sigmas(results: pd.DataFrame) -> dict[str, float]:
    """Each target's standard deviation over the successful runs of a seed-noise sweep."""
    ok = results[results["status"] == "ok"]
    return {
        column.removeprefix(OUTCOME_PREFIX): float(ok[column].std(ddof=1))
        for column in ok
        if column.startswith(OUTCOME_PREFIX)
    }


def influence_table(
    indices: pd.DataFrame, sigmas: dict[str, float] | None = None, levels: int = 4
) -> pd.DataFrame:
    """Morris mu* per parameter and target, in tolerance half-widths of the target.

    Args:
        indices: ``sensitivity.csv`` of a Morris sweep whose outcomes are ``targets.*``.
        sigmas: Each target's seed standard deviation, if measured.
        levels: The Morris design's number of levels.

    Returns:
        One row per parameter and target: ``influence`` (mu* over the half-width),
        ``noise`` (the seed floor if ``sigmas`` is given, else mu*'s bootstrap confidence
        half-width; same unit) and the signed ``mu``.

    Raises:
        ValueError: If an outcome is not a target, or a target has no seed sigma.
    """
    targets = load_targets()
    rows = indices[indices["outcome"].str.startswith(OUTCOME_PREFIX)].reset_index(drop=True)
    rows["target"] = rows["outcome"].str.removeprefix(OUTCOME_PREFIX)
    unknown = sorted(set(rows["target"]) - set(targets))
    if unknown:
        raise ValueError(f"not a target of targets-v2.toml: {', '.join(unknown)}")
    half_width = rows["target"].map(
        lambda name: (targets[name].tolerance[1] - targets[name].tolerance[0]) / 2
    )
    rows["influence"] = rows["mu_star"] / half_width
    if sigmas is None:
        rows["noise"] = rows["mu_star_conf"] / half_width
    else:
        lacking = sorted(set(rows["target"]) - set(sigmas))
        if lacking:
            raise ValueError(f"no seed-noise runs measured {', '.join(lacking)}")
        floor = rows["target"].map(lambda name: seed_floor(sigmas[name], levels))
        rows["noise"] = floor / half_width
    rows["mu"] = rows["mu"] / half_width
    return rows[["parameter", "target", "influence", "noise", "mu"]]


def summary(table: pd.DataFrame, keep: float) -> pd.DataFrame:
    """Each parameter's largest influence, the target it moves most, and the verdict."""
    real = table[table["influence"] > table["noise"]]
    top = table.loc[table.groupby("parameter")["influence"].idxmax()]
    top = top.set_index("parameter")
    kept = real[real["influence"] >= keep].groupby("parameter")["target"].apply(list)
    top["targets_moved"] = kept.reindex(top.index).apply(
        lambda names: ", ".join(names) if isinstance(names, list) else ""
    )
    top["kept"] = top["targets_moved"] != ""
    return top.sort_values("influence", ascending=False).reset_index()


def markdown(top: pd.DataFrame, keep: float) -> str:
    """The summary as a Markdown table."""
    lines = [
        "| parameter | largest influence (noise) | on target | sign "
        f"| targets moved by >= {keep:g} | kept |",
        "|---|---:|---|---|---|---|",
    ]
    for row in top.itertuples():
        sign = "+" if row.mu > 0 else "-" if row.mu < 0 else "0"
        lines.append(
            f"| `{row.parameter}` | {row.influence:.2f} ({row.noise:.2f}) | {row.target} | "
            f"{sign} | {row.targets_moved} | {'yes' if row.kept else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Analyse the screen in the given sweep directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", type=Path, help="the screen's sweep directory")
    parser.add_argument("--keep", type=float, default=0.5, help="influence threshold")
    parser.add_argument("--seed-noise", type=Path, help="sweep directory of seed-noise runs")
    args = parser.parse_args(argv)
    path = args.sweep / "sensitivity.csv"
    if not path.exists():
        print(f"{path}: not found; run hikisim sensitivity first", file=sys.stderr)
        return 2
    try:
        sigmas = None if args.seed_noise is None else seed_sigmas(load_results(args.seed_noise))
        manifest = SweepStore(args.sweep).read_manifest()
        if manifest is None:
            raise ValueError("not a sweep directory (no manifest.json)")
        levels = manifest["experiment"]["design"]["levels"]
        table = influence_table(pd.read_csv(path), sigmas, levels)
    except (ValueError, OSError, KeyError) as error:
        print(f"{args.sweep}: {error}", file=sys.stderr)
        return 2
    table.to_csv(args.sweep / "screen.csv", index=False)
    top = summary(table, args.keep)
    text = markdown(top, args.keep)
    (args.sweep / "screen.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    print(f"\n{int(top['kept'].sum())} of {len(top)} parameters kept")
    return 0


if __name__ == "__main__":
    sys.exit(main())
