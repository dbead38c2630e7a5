"""Component and unit tests of the dashboard, rendered with ``solara.render`` (no browser)."""

from __future__ import annotations

import ipyvuetify as v
import ipywidgets
import numpy as np
import pytest
import solara
from matplotlib.colors import to_rgba_array

from hikisim.dashboard import controls
from hikisim.dashboard.app import Page
from hikisim.dashboard.comparison import compare
from hikisim.dashboard.comparison_view import ComparisonView
from hikisim.dashboard.episode_view import duration_histogram
from hikisim.dashboard.layout import network_layout
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.network_view import STATE_COLOUR_TABLE, NetworkCanvas
from hikisim.dashboard.status_view import StatusBar
from hikisim.metrics import current_cases
from hikisim.states import State

SMALL = {"youths": 150, "burn_in_years": 2}


@pytest.fixture(scope="module")
def treated() -> DashboardModel:
    switches = {controls.intervention_param(name): True for name in controls.intervention_names()}
    # Large and long enough that some youths are in care and the programmes reach them.
    model = DashboardModel(youths=300, burn_in_years=5, **switches)
    for _ in range(8):
        model.step()
    return model


def render_page():
    return solara.render(solara.AppLayout(children=[Page()]), handle_error=False)


def week_heading(rc) -> str:
    return rc.find(v.Html, tag="h3").widget.children[0]


def test_page_steps_and_redraws() -> None:
    _, rc = render_page()
    assert week_heading(rc).startswith("Week 0 of")
    images = rc.find(ipywidgets.Image)
    before = [widget.value for widget in images.widgets]
    assert len(before) == 3  # network, time series, episodes; no comparison yet
    for _ in range(3):
        rc.find(v.Btn, children=["Step"]).widget.click()
    assert week_heading(rc).startswith("Week 3 of")
    after = [widget.value for widget in rc.find(ipywidgets.Image).widgets]
    assert after[0] != before[0] and after[1] != before[1]


def test_bad_seed_shows_message_in_page() -> None:
    _, rc = render_page()
    seed = rc.find(v.TextField, label="Seed (any whole number)").widget
    seed.v_model = "twelve"
    seed.fire_event("focusout", None)  # the text box commits its value when it loses focus
    rc.find(v.Btn, children=["Reset"]).widget.click()
    alert = rc.find(v.Alert, type="error").widget
    assert "seed" in str(alert.children) and "twelve" in str(alert.children)
    # The page still runs the preset at the default size.
    rc.find(v.Btn, children=["Step"]).widget.click()
    assert week_heading(rc).startswith("Week 1 of")


def test_scenario_file_presets_the_controls(tmp_path, monkeypatch) -> None:
    (tmp_path / "baseline.toml").write_text('name = "baseline"\n')
    (tmp_path / "caring_town.toml").write_text(
        'extends = "baseline.toml"\n[society]\nsocial_cohesion = 0.9\n'
    )
    monkeypatch.setenv(controls.SCENARIO_DIR_VARIABLE, str(tmp_path))
    _, rc = render_page()
    rc.find(v.Select, label="Start from scenario file").widget.v_model = "caring_town.toml"
    slider = rc.find(v.Slider, label="Sociocultural: community cohesion")
    slider.assert_single()
    assert slider.widget.v_model == pytest.approx(0.9)
    assert "scenario caring_town" in week_heading(rc)


def test_conflicting_family_shares_are_reported() -> None:
    model = DashboardModel(**SMALL, family__neglect_share=0.5, family__overprotection_share=0.6)
    assert model.input_error is not None and "families" in model.input_error
    assert model.settings.family.neglect_share + model.settings.family.overprotection_share <= 1


@pytest.mark.parametrize(
    ("controls_given", "named"),
    [
        ({"youths": 50_000}, "number of youths"),
        ({"seed": "-3"}, "seed"),
        ({"dynamics__peer_weight": 99.0}, "peer_weight"),
    ],
)
def test_out_of_range_controls_name_the_control(controls_given, named) -> None:
    model = DashboardModel(**({"burn_in_years": 0} | controls_given))
    assert model.input_error is not None and named in model.input_error
    assert "\n" not in model.input_error


def test_model_params_cover_every_group_and_intervention() -> None:
    params = controls.model_params(controls.load_preset("baseline.toml"), "baseline.toml")
    labels = [spec["label"] for spec in params.values() if isinstance(spec, dict)]
    for group in ("Family", "School", "Sociocultural", "Individual"):
        assert any(label.startswith(group) for label in labels), group
    for name in controls.intervention_names():
        assert params[controls.intervention_param(name)]["type"] == "Checkbox"
    # Every control maps onto a scenario key the model accepts.
    model = DashboardModel(**(controls.initial_values(params) | {"burn_in_years": 0}))
    assert model.input_error is None


def test_warm_up_happens_before_week_zero() -> None:
    model = DashboardModel(**SMALL)
    assert model.horizon_week == 0 and model.steps == 0
    model.step()
    assert model.horizon_week == 1 and model.steps == 1 and len(model.weekly_records) == 1


def test_twin_is_the_same_town_without_interventions(treated: DashboardModel) -> None:
    assert treated.baseline is not None
    assert treated.baseline.settings.enabled_interventions() == []
    assert treated.baseline.seed == treated.seed
    assert treated.baseline.horizon_week == treated.horizon_week
    np.testing.assert_array_equal(
        treated.baseline.population.youths.age_weeks, treated.population.youths.age_weeks
    )


def test_comparison_totals_match_the_records(treated: DashboardModel) -> None:
    comparison = compare(treated, treated.baseline)
    base_new = sum(record["new_cases"] for record in treated.baseline.weekly_records)
    treated_new = sum(record["new_cases"] for record in treated.weekly_records)
    assert comparison.cases_averted == base_new - treated_new
    assert comparison.baseline.help_weeks == 0
    assert comparison.intervention.help_weeks > 0
    assert comparison.intervention.cases_now == len(current_cases(treated))


def test_comparison_view_shows_table_with_interventions(treated: DashboardModel) -> None:
    _, rc = solara.render(ComparisonView(treated), handle_error=False)
    text = " ".join(str(widget.children) for widget in rc.find(v.Html).widgets)
    rc.find(ipywidgets.Image).assert_single()
    markdown = str([w.template for w in rc.find(v.VuetifyTemplate).widgets])
    assert "averted" in markdown and "weeks of help given" in markdown, text


def test_comparison_view_explains_how_to_start_without_interventions() -> None:
    _, rc = solara.render(ComparisonView(DashboardModel(**SMALL)), handle_error=False)
    rc.find(v.Alert).assert_single()
    assert "No intervention is switched on" in str(rc.find(v.Alert).widget.children)


def test_status_bar_reports_a_failed_step() -> None:
    model = DashboardModel(**SMALL)

    def broken_step() -> None:
        raise RuntimeError("kernel exploded")

    model.kernel.step = lambda week: broken_step()
    model.step()
    assert not model.running and "kernel exploded" in model.run_error
    _, rc = solara.render(StatusBar(model), handle_error=False)
    assert "kernel exploded" in str(rc.find(v.Alert).widget.children)


def test_duration_histogram_counts_every_current_case_once(treated: DashboardModel) -> None:
    histogram = duration_histogram(treated)
    cases = current_cases(treated)
    assert histogram.total == len(cases)
    secondary = int((treated.population.youths.disorder[cases] > 0).sum())
    assert histogram.secondary.sum() == secondary


def test_layout_is_fixed_per_model_and_seeded(treated: DashboardModel) -> None:
    first = treated.layout
    treated.step()
    assert treated.layout is first
    again = network_layout(treated.graph, treated.seed)
    np.testing.assert_allclose(again, first)
    assert first.shape == (treated.settings.population.youths, 2)
    assert first.min() >= 0.0 and first.max() <= 1.0


def test_network_canvas_colours_nodes_by_state(treated: DashboardModel) -> None:
    canvas = NetworkCanvas(treated)
    canvas.update()
    expected = to_rgba_array(STATE_COLOUR_TABLE[treated.population.youths.state])
    np.testing.assert_allclose(canvas.nodes.get_facecolors(), expected)
    assert (treated.population.youths.state != State.ENGAGED).any()
