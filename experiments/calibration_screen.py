"""Read a Morris screen of the calibration targets and say which parameters matter.

Run the screen first (a sweep, resumable, local or on Dask)::

    hikisim sensitivity experiments/calibration_screen.toml --out results/calibration_screen

then::

    .venv/bin/python experiments/calibration_screen.py results/calibration_screen

Morris's mu* (SALib) is the mean absolute change of an outcome when a parameter moves
across its whole range. Targets differ in scale (MEXT's 1% against Koyama's 55%), so each
mu* is divided by its target's tolerance half-width: an influence of 1 means that moving
the parameter across its range moves the target by as much as the target's tolerance
allows. A parameter is kept for the calibration when it moves some target by at least
``--keep`` (default 0.5) of a half-width, and its mu* there is larger than mu*'s own
bootstrap half-width over the trajectories. That second test is weak: mu* averages
absolute effects, so a parameter that only adds noise also has a positive mu*, and the
bootstrap measures the spread over trajectories, not seed noise. Verdicts near the
threshold are uncertain; more trajectories narrow them.

Prints a Markdown table (parameters by largest influence, each with the target it moves
most), writes it to ``DIR/screen.md`` and the full matrix to ``DIR/screen.csv``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from hikisim.targets import load_targets

OUTCOME_PREFIX = "targets."


def influence_table(indices: pd.DataFrame) -> pd.DataFrame:
    """Morris mu* per parameter and target, in tolerance half-widths of the target.

    Args:
        indices: ``sensitivity.csv`` of a Morris sweep whose outcomes are ``targets.*``.

    Returns:
        One row per parameter and target: ``influence`` (mu* over the half-width),
        ``noise`` (mu*'s confidence half-width, same unit) and the signed ``mu``.
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
    rows["noise"] = rows["mu_star_conf"] / half_width
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
    args = parser.parse_args(argv)
    path = args.sweep / "sensitivity.csv"
    if not path.exists():
        print(f"{path}: not found; run hikisim sensitivity first", file=sys.stderr)
        return 2
    try:
        table = influence_table(pd.read_csv(path))
    except ValueError as error:
        print(f"{path}: {error}", file=sys.stderr)
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
