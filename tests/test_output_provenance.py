"""Every output of a run records where it came from.

The scenario's name, the seed, the hikisim version, the overrides and a hash of the
resolved settings, plus the model source hash the sweeps record: in ``summary.json``,
as leading columns of every CSV (read by ``pandas.read_csv`` with its defaults) and as
text entries of ``surveys.png``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from processes import BASELINE, REPO, hikisim

from hikisim import __version__, load_scenario, simulate
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.simulation import PROVENANCE_COLUMNS, settings_hash, write_outputs
from hikisim.source_hash import model_source_hash, source_hash
from hikisim.survey_figure import TITLES, plot_yearly_against_surveys
from hikisim.targets import load_targets

TINY_TOML = "[population]\nyouths = 300\n[run]\nburn_in_years = 2\nyears = 1\n"
CSVS = ("weekly.csv", "episodes.csv", "yearly.csv")
FIVE = ("scenario", "seed", "version", "overrides", "settings_hash")


def recorded(folder: Path) -> dict[str, dict[str, Any]]:
    """The provenance each output file of a run folder records, as Python values."""
    found = {"summary.json": json.loads((folder / "summary.json").read_text())}
    for name in CSVS:
        table = pd.read_csv(folder / name)
        assert list(table.columns[: len(PROVENANCE_COLUMNS)]) == list(PROVENANCE_COLUMNS)
        assert len(table) > 0, name
        # The same on every row, and strings where they are strings (no hash read as a number).
        assert (table[list(PROVENANCE_COLUMNS)].nunique(dropna=False) == 1).all(), name
        row = table.iloc[0]
        assert all(isinstance(row[key], str) for key in ("version", "settings_hash", "overrides"))
        found[name] = {key: row[key] for key in PROVENANCE_COLUMNS} | {
            "seed": int(row["seed"]),
            "overrides": json.loads(row["overrides"]),
        }
    with Image.open(folder / "surveys.png") as image:
        image.load()
        text = dict(image.text)  # type: ignore[attr-defined]
    found["surveys.png"] = {key: text[key] for key in PROVENANCE_COLUMNS} | {
        "seed": int(text["seed"]),
        "overrides": json.loads(text["overrides"]),
    }
    return found


def test_every_output_file_records_the_provenance(
    finished_tiny_model: HikiModel, tmp_path: Path, tiny_seed: int
) -> None:
    # The scenario recorded the overrides that made it tiny; those passed here are
    # recorded too, the later winning.
    made_with = finished_tiny_model.settings.overrides
    assert made_with["population.youths"] == 300
    overrides = {"population__youths": 301, "run.years": 1}
    write_outputs(finished_tiny_model, tmp_path / "run", overrides)
    expected = {
        "scenario": "baseline",
        "seed": tiny_seed,
        "version": __version__,
        "overrides": made_with | {"population.youths": 301, "run.years": 1},
        "settings_hash": settings_hash(finished_tiny_model.settings),
        "model_source": model_source_hash(),
    }
    for name, provenance in recorded(tmp_path / "run").items():
        assert {key: provenance[key] for key in expected} == expected, name


def test_the_summary_leads_with_the_provenance(
    finished_tiny_model: HikiModel, tmp_path: Path
) -> None:
    summary = write_outputs(finished_tiny_model, tmp_path / "run")
    assert list(summary)[: len(PROVENANCE_COLUMNS)] == list(PROVENANCE_COLUMNS)
    assert summary["overrides"] == finished_tiny_model.settings.overrides
    assert summary["model_source"] == model_source_hash()
    assert (
        pd.read_csv(tmp_path / "run" / "weekly.csv")["model_source"] == model_source_hash()
    ).all()


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two ``hikisim run``s of one tiny file and seed: without and with an override."""
    root = tmp_path_factory.mktemp("provenance")
    scenario = root / "tiny.toml"
    scenario.write_text(TINY_TOML, encoding="utf-8")
    runs = {}
    for label, options in (("plain", []), ("override", ["--set", "population.youths=400"])):
        out = root / label
        result = hikisim("run", scenario, "--seed", "7", *options, "--out", out, cwd=root)
        assert result.returncode == 0, result.stderr
        runs[label] = out
    return runs


def test_a_run_without_overrides_records_none_but_the_seed(cli_runs: dict[str, Path]) -> None:
    for name, provenance in recorded(cli_runs["plain"]).items():
        assert provenance["scenario"] == "tiny", name
        assert provenance["seed"] == 7, name
        assert provenance["version"] == __version__, name
        # --seed is recorded as the override it is.
        assert provenance["overrides"] == {"run.seed": 7}, name
        assert provenance["model_source"] == model_source_hash(), name


def test_a_run_with_an_override_records_it_and_another_settings_hash(
    cli_runs: dict[str, Path],
) -> None:
    plain, changed = recorded(cli_runs["plain"]), recorded(cli_runs["override"])
    for name in plain:
        assert changed[name]["overrides"] == {"population.youths": 400, "run.seed": 7}, name
        assert changed[name]["settings_hash"] != plain[name]["settings_hash"], name
        assert changed[name]["model_source"] == plain[name]["model_source"], name
    # The hash is that of the resolved settings, however they were reached.
    resolved = load_scenario(cli_runs["plain"].parent / "tiny.toml", **{"population.youths": 400})
    assert changed["summary.json"]["settings_hash"] == settings_hash(resolved)


def test_a_modified_copy_with_the_same_name_has_another_settings_hash(tmp_path: Path) -> None:
    original = load_scenario(BASELINE)
    text = BASELINE.read_text(encoding="utf-8")
    copy = tmp_path / "baseline.toml"
    copy.write_text(text, encoding="utf-8")
    assert settings_hash(load_scenario(copy)) == settings_hash(original)
    # The same name, one value changed.
    changed, count = re.subn(
        r"\nyouths = (\d+)\n", lambda match: f"\nyouths = {int(match[1]) + 1}\n", text
    )
    assert count == 1
    copy.write_text(changed, encoding="utf-8")
    modified = load_scenario(copy)
    assert modified.name == original.name
    assert settings_hash(modified) != settings_hash(original)


def test_the_settings_hash_covers_the_resolved_values_not_the_spelling() -> None:
    base = Scenario()
    spelt_out = base.with_overrides({"population.youths": base.population.youths})
    assert settings_hash(spelt_out) == settings_hash(base)
    assert settings_hash(base.with_overrides({"dynamics.peer_weight": 0.123})) != settings_hash(
        base
    )
    # The seed is recorded beside the hash, so replicates share it.
    assert settings_hash(base.with_overrides({"run.seed": 1})) == settings_hash(base)
    assert settings_hash(base).startswith("sha256:") and len(settings_hash(base)) == 23


def test_simulate_records_the_provenance(tiny_overrides: dict[str, Any]) -> None:
    summary = simulate(seed=5, **tiny_overrides)
    assert summary["scenario"] == "baseline" and summary["seed"] == 5
    assert summary["version"] == __version__
    assert summary["overrides"] == tiny_overrides
    assert summary["settings_hash"] == settings_hash(Scenario().with_overrides(tiny_overrides))


def test_simulate_records_the_overrides_load_scenario_applied() -> None:
    overrides = {"population.youths": 300, "run.burn_in_years": 2, "run.years": 1}
    scenario = load_scenario(REPO / "scenarios" / "home_visits.toml", **overrides)
    assert simulate(scenario, seed=1)["overrides"] == overrides


def test_the_survey_figure_carries_its_text_entries_in_any_script(tmp_path: Path) -> None:
    # A scenario name need not be Latin-1, which a PNG tEXt chunk cannot hold.
    rows = [{"year": year} | dict.fromkeys(TITLES, 0.01) for year in (2010, 2011)]
    text = {"scenario": "ひきこもり", "seed": "7"}
    path = tmp_path / "surveys.png"
    plot_yearly_against_surveys(rows, load_targets(), path, "title", text)
    with Image.open(path) as image:
        image.load()
        found = dict(image.text)  # type: ignore[attr-defined]
    assert {key: found[key] for key in text} == text


def test_a_scenario_records_its_overrides_oldest_first() -> None:
    once = Scenario().with_overrides({"population__youths": 500})
    twice = once.with_overrides({"run.years": 2, "population.youths": 600})
    assert once.overrides == {"population.youths": 500}
    assert twice.overrides == {"population.youths": 600, "run.years": 2}
    # A record, not a setting: the settings and their hash ignore it.
    assert twice.model_dump() == Scenario().with_overrides(twice.overrides).model_dump()
    assert Scenario().overrides == {}


def test_the_model_source_covers_the_programmes_not_the_dashboard(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    for name in ("model.py", "programmes/visits.py", "dashboard/page.py"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("x = 1\n")
    before = source_hash(package)
    (package / "dashboard" / "page.py").write_text("x = 2\n")
    assert source_hash(package) == before
    (package / "programmes" / "visits.py").write_text("x = 2\n")
    assert source_hash(package) != before
    assert len(model_source_hash()) == 64


def test_scenarios_are_equal_by_their_settings_not_by_how_they_were_reached() -> None:
    plain = Scenario()
    spelled_out = Scenario().with_overrides({"population.youths": plain.population.youths})
    assert spelled_out.overrides and not plain.overrides
    assert plain == spelled_out and hash(plain) == hash(spelled_out)
    assert plain != Scenario().with_overrides({"population.youths": 1000})


def test_numpy_overrides_are_recorded_as_plain_values(
    finished_tiny_model: HikiModel, tmp_path: Path
) -> None:
    # Sweeps and scripts pass numpy numbers, which JSON (and so the record) cannot hold.
    scenario = Scenario().with_overrides(
        {"population.youths": np.int64(300), "population.aging": np.bool_(True)}
    )
    assert scenario.overrides == {"population.youths": 300, "population.aging": True}
    assert type(scenario.overrides["population.aging"]) is bool
    summary = write_outputs(finished_tiny_model, tmp_path / "run", {"run.years": np.float64(1)})
    assert summary["overrides"]["run.years"] == 1.0
    assert (
        json.loads((tmp_path / "run" / "summary.json").read_text())["overrides"]
        == (summary["overrides"])
    )
