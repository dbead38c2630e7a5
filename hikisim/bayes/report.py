"""The outputs of a Bayesian calibration, all written under ``--out``.

- ``posterior.parquet``: one row per posterior draw, a ``weight`` column and one column
  per dotted scenario key (its metadata records the scenario, seed, version, command
  and the representative draw).
- ``diagnostics.json``: per wave, the runs and the implausibility cut; per ABC-SMC
  generation, the temperature (the tolerance schedule), samples, acceptance and
  effective sample size.
- ``predictive.csv`` and ``predictive.png``: each target's published value and interval
  beside the model's posterior-predictive distribution (model runs at posterior draws)
  and the emulated posterior interval of the model's mean.
- ``parameters.csv``: each parameter's prior and posterior, and how much the data
  narrowed it.
- ``representative.toml``: the draw nearest the posterior median, as scenario overrides.
- ``calibration.md``: all of the above as Markdown tables, with the command.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from hikisim.bayes.abc_smc import effective_sample_size
from hikisim.bayes.emulator import TargetEmulator
from hikisim.bayes.pipeline import BayesResult, sampler_of
from hikisim.fonts import with_japanese_fallback
from hikisim.sweeps.storage import write_atomically

SURVEY_STREAM = 0x535256  # "SRV": observation-error draws, apart from every other stream
INFORMED_RATIO = 0.8
"""A parameter is "informed" when its posterior sd is below this share of its prior sd."""
PRIOR_SD = 1.0 / math.sqrt(12.0)
"""The prior's sd on the quantile scale (uniform on [0, 1])."""


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """A weighted quantile (the inverse of the weighted empirical distribution)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    cumulative /= cumulative[-1]
    return float(values[order][min(np.searchsorted(cumulative, q), len(values) - 1)])


def representative_index(unit: np.ndarray, weights: np.ndarray) -> int:
    """The draw nearest the posterior's coordinate-wise weighted median.

    Distances are Mahalanobis distances under the posterior's weighted covariance on the
    quantile scale, so a tightly informed parameter counts as much as a loose one and
    correlated parameters are not counted twice.

    Args:
        unit: Draws on the unit cube.
        weights: Their weights.

    Returns:
        The index of the representative draw.
    """
    median = np.array([weighted_quantile(unit[:, j], weights, 0.5) for j in range(unit.shape[1])])
    centred = unit - weights @ unit
    covariance = (centred * weights[:, None]).T @ centred / weights.sum()
    # A small ridge keeps the inverse finite when a parameter hardly varies.
    precision = np.linalg.inv(covariance + 1e-9 * np.eye(unit.shape[1]))
    offsets = unit - median
    distance = np.einsum("ij,jk,ik->i", offsets, precision, offsets)
    return int(np.argmin(distance))


def parameter_rows(result: BayesResult) -> list[dict[str, Any]]:
    """Prior against posterior, one row per parameter."""
    weights = result.abc.weights
    rows = []
    for column, prior in enumerate(result.problem.priors):
        unit = result.abc.unit[:, column]
        values = np.asarray(prior.value_at(unit))
        mean_unit = float(weights @ unit)
        sd_unit = math.sqrt(float(weights @ np.square(unit - mean_unit)))
        ratio = sd_unit / PRIOR_SD
        rows.append(
            {
                "parameter": prior.key,
                "prior": f"{prior.distribution} [{prior.low:g}, {prior.high:g}]",
                "prior_median": float(prior.value_at(0.5)),
                "posterior_median": weighted_quantile(values, weights, 0.5),
                "posterior_low": weighted_quantile(values, weights, 0.025),
                "posterior_high": weighted_quantile(values, weights, 0.975),
                "sd_ratio": ratio,
                "informed": ratio < INFORMED_RATIO,
            }
        )
    return rows


SURVEY_DRAWS = 400
"""Observation-error draws per predictive run for the survey's predictive interval."""


def predictive_rows(result: BayesResult) -> list[dict[str, Any]]:
    """Each target: published value and interval against the posterior predictive.

    Two predictive intervals per target: the spread of the model runs at posterior draws
    (``predictive_*``), and that of the figure a survey would publish, the runs plus
    the target's own error (normal, with the target's scale; ``survey_*``).
    ``median_inside_tolerance`` is the targets file's criterion (the model's median
    inside the tolerance); ``published_inside`` (the published value inside the survey
    interval) is a wider test, which a target can pass while missing its tolerance.
    """
    rows = []
    weights = result.abc.weights
    rng = np.random.default_rng(np.random.SeedSequence([result.settings.seed, SURVEY_STREAM]))
    scales = result.problem.scales()
    for column, (name, target) in enumerate(result.problem.targets.items()):
        runs = result.predictive[:, column]
        runs = runs[np.isfinite(runs)]
        emulated = result.emulated[:, column]
        low = float(np.quantile(runs, 0.025)) if len(runs) else math.nan
        high = float(np.quantile(runs, 0.975)) if len(runs) else math.nan
        survey = runs[:, None] + rng.normal(0.0, scales[column], (len(runs), SURVEY_DRAWS))
        survey_low = float(np.quantile(survey, 0.025)) if len(runs) else math.nan
        survey_high = float(np.quantile(survey, 0.975)) if len(runs) else math.nan
        rows.append(
            {
                "target": name,
                "published": target.value,
                "tolerance_low": target.tolerance[0],
                "tolerance_high": target.tolerance[1],
                "n": target.n,
                "predictive_median": float(np.median(runs)) if len(runs) else math.nan,
                "predictive_low": low,
                "predictive_high": high,
                "predictive_runs": len(runs),
                "emulated_low": weighted_quantile(emulated, weights, 0.025),
                "emulated_high": weighted_quantile(emulated, weights, 0.975),
                "survey_low": survey_low,
                "survey_high": survey_high,
                "published_inside": bool(survey_low <= target.value <= survey_high),
                "median_inside_tolerance": bool(target.inside(float(np.median(runs))))
                if len(runs)
                else False,
            }
        )
    return rows


def error_shares(errors: np.ndarray) -> dict[str, Any]:
    """How many standardized errors were measured, and the shares beyond 2 and 3."""
    finite = errors[np.isfinite(errors)]
    return {
        "runs": int(finite.size),
        "beyond_2": float(np.mean(np.abs(finite) > 2)) if finite.size else float("nan"),
        "beyond_3": float(np.mean(np.abs(finite) > 3)) if finite.size else float("nan"),
    }


def cross_validated_shares(emulator: TargetEmulator) -> dict[str, float]:
    """The final emulator's cross-validated errors beyond 2 and 3 (with its inflation)."""
    shares = error_shares(emulator.checked)
    return {
        "cross_validated_beyond_2": shares["beyond_2"],
        "cross_validated_beyond_3": shares["beyond_3"],
    }


def diagnostics(result: BayesResult) -> dict[str, Any]:
    """The waves' cuts and the ABC-SMC schedule, as JSON-compatible data."""
    names = result.problem.target_names
    return {
        "waves": [
            {
                "wave": wave.wave,
                "points": wave.points,
                "points_with_unmeasured_target": wave.failed,
                "cut_order": wave.cut.order,
                "kept_share": wave.cut.kept,
                "ruled_out_by_target": dict(zip(names, wave.cut.per_target.tolist(), strict=True)),
                "min_implausibility": dict(zip(names, wave.cut.minimum.tolist(), strict=True)),
                "validation": None
                if wave.validation is None
                else {
                    name: error_shares(errors)
                    for name, errors in zip(names, wave.validation.T, strict=True)
                },
            }
            for wave in result.waves
        ],
        "abc": {
            "sampler": sampler_of(result.settings, len(result.problem.priors)),
            "generations": result.abc.generations.to_dict(orient="records"),
            "final_ess": effective_sample_size(result.abc.weights),
            "particles": len(result.abc.weights),
            "reached_temperature_1": result.abc.reached_exact,
        },
        "emulators": {
            name: {"runs": em.runs, "inflation": em.inflation} | cross_validated_shares(em)
            for name, em in result.emulators.items()
        },
    }


def write_outputs(result: BayesResult, out: Path, facts: dict[str, Any]) -> dict[str, Any]:
    """Write every output file.

    Args:
        result: The calibration.
        out: The output folder.
        facts: Recorded with the posterior: ``command``, ``scenario``, ``seed``,
            ``version``, ``overrides``, ``targets_file``.

    Returns:
        The diagnostics, with the representative draw's index and values.
    """
    posterior = result.posterior()
    chosen = representative_index(result.abc.unit, result.abc.weights)
    values = {key: float(posterior.at[chosen, key]) for key in result.problem.keys}
    meta = {**facts, "representative_draw": chosen}
    write_posterior(posterior, out / "posterior.parquet", meta)
    report = diagnostics(result)
    report["representative"] = {"draw": chosen, "values": values}
    _write_text(out / "diagnostics.json", json.dumps(_finite(report), indent=1) + "\n")
    predictive = pd.DataFrame(predictive_rows(result))
    parameters = pd.DataFrame(parameter_rows(result))
    _write_text(out / "predictive.csv", predictive.to_csv(index=False))
    _write_text(out / "parameters.csv", parameters.to_csv(index=False))
    _write_text(out / "representative.toml", representative_toml(values, chosen, facts))
    plot_predictive(predictive, out / "predictive.png")
    _write_text(out / "calibration.md", markdown(result, report, predictive, parameters, facts))
    return report


def write_posterior(posterior: pd.DataFrame, path: Path, meta: dict[str, Any]) -> None:
    """Write a posterior as Parquet, with the facts behind it in the file's metadata."""
    table = pa.Table.from_pandas(posterior, preserve_index=False)
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"hikisim": json.dumps(meta).encode()}
    )
    write_atomically(path, lambda temp: pq.write_table(table, temp))


def representative_toml(values: dict[str, float], draw: int, facts: dict[str, Any]) -> str:
    """The representative draw as a scenario overlay (TOML tables by section)."""
    lines = [
        f"# The posterior draw nearest the posterior median (draw {draw}),",
        f"# from: {facts.get('command', '')}",
    ]
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, name = key.rsplit(".", 1)
        sections.setdefault(section, []).append(f"{name} = {value:.6g}")
    for section, entries in sections.items():
        lines += ["", f"[{section}]", *entries]
    return "\n".join(lines) + "\n"


@with_japanese_fallback
def plot_predictive(predictive: pd.DataFrame, path: Path) -> None:
    """Each target's published interval beside the posterior predictive, as ratios.

    Values are divided by the published figure, so targets of very different sizes
    share one axis: 1 is the published value.
    """
    rows = len(predictive)
    figure, axis = plt.subplots(figsize=(8, 0.45 * rows + 1.5))
    bands = (  # (low column, high column, offset, colour, width, label)
        ("tolerance_low", "tolerance_high", 0.15, "0.3", 3.0, "published tolerance"),
        (
            "predictive_low",
            "predictive_high",
            -0.15,
            "tab:blue",
            3.0,
            "model runs at posterior draws (95%)",
        ),
        (
            "emulated_low",
            "emulated_high",
            -0.3,
            "tab:orange",
            1.5,
            "emulated posterior of the model mean (95%)",
        ),
    )
    for index, row in enumerate(predictive.to_dict(orient="records")):
        y = rows - index
        scale = row["published"]
        for low, high, offset, colour, width, label in bands:
            axis.plot(
                [row[low] / scale, row[high] / scale],
                [y + offset] * 2,
                color=colour,
                lw=width,
                label=label if index == 0 else None,
            )
        axis.plot(row["predictive_median"] / scale, y - 0.15, "o", color="tab:blue")
    axis.axvline(1.0, color="0.6", lw=0.8)
    axis.set_yticks(range(rows, 0, -1), predictive["target"], fontsize=8)
    axis.set_xlabel("value / published value")
    axis.set_title("Posterior-predictive check")
    axis.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    write_atomically(path, lambda temp: figure.savefig(temp, format="png", dpi=110))
    plt.close(figure)


def predictive_table(predictive: pd.DataFrame) -> list[str]:
    """The posterior-predictive table in Markdown, with both criteria a target is met by.

    The targets file's criterion: the median of the model runs at posterior draws lies
    inside the target's tolerance (the band the calibrated baseline's mean must fall
    in). The wider one: the published value lies inside the survey predictive interval
    (the runs plus the target's own error). A target's scale is at least its mean
    tolerance half-width over 1.96, so that interval reaches at least a half-width
    either side of the runs and further by their own spread: a target can pass it and
    miss its tolerance.
    """
    lines = [
        "Model runs at posterior draws (their median and 95% range); the emulated posterior "
        "of the model's mean (95%); and the 95% predictive interval of the figure a survey "
        "would publish (runs plus the target's own error). Two criteria: the targets "
        "file's, whether the model runs' median lies inside the tolerance; and a wider "
        "one, whether the published value lies inside the survey predictive interval.",
        "",
        "| target | published (tolerance) | model runs: median (95%) | emulated mean (95%) "
        "| survey predictive 95% | median inside tolerance | published inside predictive |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in predictive.itertuples():
        lines.append(
            f"| {row.target} | {_pct(row.published)} ({_pct(row.tolerance_low)}-"
            f"{_pct(row.tolerance_high)}) | {_pct(row.predictive_median)} "
            f"({_pct(row.predictive_low)}-{_pct(row.predictive_high)}) | "
            f"{_pct(row.emulated_low)}-{_pct(row.emulated_high)} | "
            f"{_pct(row.survey_low)}-{_pct(row.survey_high)} | "
            f"{'yes' if row.median_inside_tolerance else 'NO'} | "
            f"{'yes' if row.published_inside else 'NO'} |"
        )
    missed = [row.target for row in predictive.itertuples() if not row.median_inside_tolerance]
    lines += [
        "",
        f"Inside tolerance (the targets file's criterion): {len(predictive) - len(missed)} "
        f"of {len(predictive)}" + (f"; not met: {', '.join(missed)}." if missed else "."),
    ]
    return lines


def markdown(
    result: BayesResult,
    report: dict[str, Any],
    predictive: pd.DataFrame,
    parameters: pd.DataFrame,
    facts: dict[str, Any],
) -> str:
    """The calibration report in Markdown."""
    abc = report["abc"]
    lines = [
        "# Bayesian calibration",
        "",
        f"Command: `{facts.get('command', '')}`",
        "",
        f"Posterior: {abc['particles']} draws, effective sample size {abc['final_ess']:.0f}, "
        f"by {abc['sampler']}"
        + (
            ""
            if abc["sampler"] != "abc-smc"
            else f" ({'reached' if abc['reached_temperature_1'] else 'did NOT reach'} "
            "temperature 1)"
        )
        + ": a weighted sample of the posterior under the targets' normal error model, "
        "with the model replaced by its emulators.",
        "",
        "## Posterior predictive",
        "",
        *predictive_table(predictive),
    ]
    lines += [
        "",
        "## Waves (history matching)",
        "",
        "| wave | points | cut on | space kept | targets ruling out most |",
        "|---|---|---|---|---|",
    ]
    for wave in report["waves"]:
        worst = sorted(wave["ruled_out_by_target"].items(), key=lambda kv: -kv[1])[:3]
        lines.append(
            f"| {wave['wave']} | {wave['points']} | implausibility no. {wave['cut_order']} "
            f"| {wave['kept_share']:.1%} | "
            + ", ".join(f"{name} {share:.0%}" for name, share in worst)
            + " |"
        )
    lines += [
        "",
        "## Emulator checks",
        "",
        "Share of runs beyond 2 and 3 predicted standard deviations (about 5% and 0.3% "
        "for a sound emulator): the previous wave's emulators on each wave's new runs (the "
        "independent check), and the final emulators' inflation of their variance with "
        "their cross-validated errors after it (set on those errors, so not a check).",
        "",
    ]
    header = [
        "target",
        *(f"wave {wave['wave']} held out" for wave in report["waves"][1:]),
        "final: inflation",
        "final: cross-validated, inflated",
    ]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, emulator in report["emulators"].items():
        cells = [
            name,
            *(
                f"{wave['validation'][name]['beyond_2']:.0%} / "
                f"{wave['validation'][name]['beyond_3']:.0%}"
                for wave in report["waves"][1:]
            ),
            f"{emulator['inflation']:.2f}",
            f"{emulator['cross_validated_beyond_2']:.0%} / "
            f"{emulator['cross_validated_beyond_3']:.0%}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    columns = list(abc["generations"][0]) if abc["generations"] else []
    lines += [
        "",
        f"## Sampler ({abc['sampler']}), stage by stage",
        "",
        "| " + " | ".join(columns) + " |",
        "|---" * len(columns) + "|",
    ]
    for row in abc["generations"]:
        lines.append("| " + " | ".join(f"{row[c]:.4g}" for c in columns) + " |")
    lines += [
        "",
        "## Prior to posterior",
        "",
        "| parameter | prior | posterior median (95%) | sd / prior sd | informed |",
        "|---|---|---|---|---|",
    ]
    for row in parameters.itertuples():
        lines.append(
            f"| {row.parameter} | {row.prior} | {row.posterior_median:.4g} "
            f"({row.posterior_low:.4g}-{row.posterior_high:.4g}) | {row.sd_ratio:.2f} | "
            f"{'yes' if row.informed else 'no'} |"
        )
    draw = report["representative"]
    lines += ["", f"Representative draw (nearest the posterior median): no. {draw['draw']}.", ""]
    return "\n".join(lines)


def _finite(data: Any) -> Any:
    """JSON-safe data: NaN and infinities (not standard JSON) become null."""
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_finite(value) for value in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def _pct(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{100 * value:.3g}%"


def _write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda temp: temp.write_text(text, encoding="utf-8"))
