"""Component and unit tests of the dashboard, rendered with ``solara.render`` (no browser)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import ipyvuetify as v
import numpy as np
import pytest
import solara
from matplotlib.colors import to_rgba_array
from solara.widgets import HTML

from hikisim.dashboard import controls, ensemble, style
from hikisim.dashboard.app import Page, Views
from hikisim.dashboard.chart import ClickableImage, legend_html
from hikisim.dashboard.comparison import compare
from hikisim.dashboard.comparison_view import (
    ComparisonCanvas,
    ComparisonView,
    comparison_csv,
    ensemble_sentence,
)
from hikisim.dashboard.controller import Controller
from hikisim.dashboard.episode_view import EpisodeCanvas, duration_histogram
from hikisim.dashboard.i18n import language, tr
from hikisim.dashboard.layout import cluster_layout
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.network_view import STATE_COLOUR_TABLE, NetworkCanvas
from hikisim.dashboard.session import DEFAULT_SPEED, Session
from hikisim.dashboard.sidebar import value_text
from hikisim.dashboard.status_view import StatusBar, narration
from hikisim.dashboard.story import someone_who_withdraws
from hikisim.dashboard.timeseries_view import (
    RATE_SERIES,
    STATE_SERIES,
    TimeSeriesCanvas,
    records_csv,
)
from hikisim.dashboard.timeseries_view import legend as timeseries_legend
from hikisim.errors import InputError
from hikisim.metrics import DURATION_BINS, current_cases
from hikisim.network import TieKind
from hikisim.states import State

SMALL = {"youths": 150, "burn_in_years": 2}


@pytest.fixture(autouse=True)
def no_extra_towns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages built here run no background towns; ``test_ensemble_*`` covers those."""
    monkeypatch.setattr(ensemble, "EXTRA_TOWNS", 0)
    language.set("en")


@pytest.fixture(scope="module")
def treated() -> DashboardModel:
    switches = {controls.intervention_param(name): True for name in controls.intervention_names()}
    # Large and long enough that some youths are in care and the programmes reach them.
    model = DashboardModel(youths=300, burn_in_years=5, **switches)
    for _ in range(8):
        model.step()
    return model


def small_session(file_name: str = "baseline.toml") -> Session:
    def build(**values):
        return DashboardModel(**(values | SMALL))

    return Session(file_name, build=build, towns=0)


def render_page():
    return solara.render(Page(), handle_error=False)


def page_with_scenarios(folder: Path, monkeypatch: pytest.MonkeyPatch, **files: str):
    """The page, its picker offering a baseline and ``files`` (name: TOML) from ``folder``."""
    (folder / "baseline.toml").write_text('name = "baseline"\n')
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text)
    monkeypatch.setenv(controls.SCENARIO_DIR_VARIABLE, str(folder))
    return render_page()


def html(rc, css_class: str) -> str:
    """The inner HTML of the page's element with ``css_class``."""
    found = [
        w.unsafe_innerHTML
        for w in rc.find(HTML).widgets
        if css_class in w.attributes.get("class", "")
    ]
    assert len(found) == 1, (css_class, found)
    return found[0]


def click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).widget.click()


def wait_until(condition, seconds: float = 30) -> None:
    """Wait for what a worker thread (Reset, jumps) does to show.

    The worker redraws the page on its own thread, so a look at the widgets may land
    half-way through a redraw: a failed look is retried, not taken as the answer.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            if condition():
                return
        except (AssertionError, ValueError, KeyError, IndexError):
            pass
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def wait_idle(rc) -> None:
    """Wait until no Reset or jump is running (they disable Step meanwhile)."""
    wait_until(lambda: not rc.find(v.Btn, children=["Step"]).widget.disabled)


def chart_sources(rc) -> list[str]:
    return [widget.src for widget in rc.find(ClickableImage).widgets]


# The session: what the page does with clicks.


def test_picked_file_loads_into_reset_with_its_programme_settings() -> None:
    session = small_session()
    assert session.pick("comprehensive.toml")
    settings = session.model.settings
    assert settings.name == "comprehensive"
    assert len(settings.enabled_interventions()) == 9
    # A programme setting the sidebar has no control for still comes from the file.
    assert settings.interventions.ei_training.coverage == 1.0
    assert not session.pending
    session.set_value("seed", "42")
    assert session.pending
    session.reset()
    assert session.model.settings.name == "comprehensive"
    assert session.model.settings.run.seed == 42
    assert len(session.model.settings.enabled_interventions()) == 9


def test_picking_stops_play_and_restore_defaults_goes_back() -> None:
    session = small_session()
    session.toggle_play()
    assert session.playing
    session.pick("parenting_course.toml")
    assert not session.playing
    assert session.model.settings.enabled_interventions() == ["parenting_course"]
    session.speed = "fast"
    session.restore_defaults()
    assert session.file_name == "baseline.toml"
    assert session.model.settings.enabled_interventions() == []
    assert session.speed == DEFAULT_SPEED  # every control, the speed too


def test_the_narration_names_the_weeks_a_jump_covered() -> None:
    session = small_session()
    session.advance(1)
    assert narration(session).startswith("Week 1: ")
    session.advance(52)
    assert narration(session).startswith("Weeks 2–53: ")
    session.follow(someone_who_withdraws(session.model) or 0)
    session.advance(3)
    assert narration(session).startswith("Weeks 54–56: ")
    assert "siblings in the town: " in narration(session)


def test_pause_is_shown_only_once_the_week_being_stepped_is_done() -> None:
    # Play steps on a worker thread under the session's lock; a Pause clicked meanwhile
    # must not redraw the page as paused before that week lands, or the counter shown
    # with the Play button would move once more.
    session = small_session()
    controller = Controller(session, solara.reactive(0))
    drawn: list[tuple[float, bool]] = []
    controller.refresh = lambda: drawn.append((time.monotonic(), session.playing))
    session.toggle_play()
    holding = threading.Event()
    stepped_at: list[float] = []

    def week_being_stepped() -> None:
        with session.lock:
            holding.set()
            time.sleep(0.3)
            stepped_at.append(time.monotonic())

    worker = threading.Thread(target=week_being_stepped)
    worker.start()
    holding.wait()
    controller.act("play")
    worker.join()
    assert not session.playing
    assert drawn and not drawn[-1][1]
    assert drawn[-1][0] >= stepped_at[0], "the page said paused before the week landed"


def test_play_starts_no_week_once_paused() -> None:
    # Pause may land between the play loop's check and its next week: the loop checks
    # under the lock a Pause waits for, so a week either lands before the page says
    # paused (above) or does not start.
    session = small_session()
    controller = Controller(session, solara.reactive(0))
    controller.refresh = lambda: None
    session.toggle_play()
    week = session.model.week
    with session.lock:
        worker = threading.Thread(target=controller.play_loop)
        worker.start()
        time.sleep(0.2)  # the loop is waiting for the lock
        session.playing = False
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert session.model.week == week, "a week started after Pause"


def test_a_bad_pick_leaves_everything_as_it_was() -> None:
    session = small_session()
    model = session.model
    assert not session.pick("../etc/passwd")
    assert session.picker_error and session.model is model and session.file_name == "baseline.toml"


def test_the_picker_shows_the_running_file_again_after_a_refused_pick(
    tmp_path, monkeypatch
) -> None:
    _, rc = page_with_scenarios(tmp_path, monkeypatch, broken="this is [not toml\n")
    for _ in range(2):  # twice: the same refusal again must reset the picker again
        rc.find(v.Select, label="Scenario file").widget.v_model = "broken.toml"
        wait_until(lambda: rc.find(v.Alert, type="error").widgets)
        wait_until(
            lambda: rc.find(v.Select, label="Scenario file").widget.v_model == "baseline.toml"
        )
    assert "Scenario baseline" in html(rc, "hikisim-scenario")


def test_a_control_changed_while_the_town_is_built_waits_for_reset() -> None:
    sessions: list[Session] = []

    def build(**values):
        if sessions:  # the page stays live during a Reset: a slider moves meanwhile
            sessions[0].set_value("dynamics__peer_weight", 1.5)
        return DashboardModel(**(values | SMALL))

    session = Session("baseline.toml", build=build, towns=0)
    sessions.append(session)
    session.reset()
    assert session.values["dynamics__peer_weight"] == 1.5
    assert session.applied["dynamics__peer_weight"] != 1.5
    assert session.pending


def test_a_slider_whose_range_widens_is_made_anew(tmp_path, monkeypatch) -> None:
    # Sent to the browser as a change of range and value on the same slider, the value
    # was clamped to the old range there and sent back as a change of the control.
    strong = 'extends = "baseline.toml"\n[dynamics]\npeer_weight = 10\n'
    _, rc = page_with_scenarios(tmp_path, monkeypatch, strong_peers=strong)

    def slider_up_to(top: float):
        (slider,) = [s for s in rc.find(v.Slider).widgets if s.max == top]
        return slider

    before = slider_up_to(6)  # peer influence: the only slider up to 6
    rc.find(v.Select, label="Scenario file").widget.v_model = "strong_peers.toml"
    wait_until(lambda: "Scenario strong_peers" in html(rc, "hikisim-scenario"))
    after = slider_up_to(10)
    assert after is not before and after.v_model == 10
    assert "×10.00" in html(rc, "hikisim-label-dynamics__peer_weight")


def test_jumps_never_pass_the_horizon() -> None:
    session = small_session()
    session.values["youths"] = 150
    weeks = session.model.horizon_weeks
    assert session.advance(weeks - 10) == weeks - 10
    assert session.jump_weeks(1) == 10
    session.toggle_play()
    assert session.advance(52) == 10
    assert session.model.finished and session.model.horizon_week == weeks
    assert not session.playing
    session.toggle_play()
    assert not session.playing, "a finished run must not start playing"


def test_slider_echo_is_not_a_change() -> None:
    session = small_session()
    value = session.values["society__internet_penetration"]
    session.set_value("society__internet_penetration", value + 1e-12)
    assert not session.pending
    session.set_value("society__internet_penetration", value + 0.01)
    assert session.pending


def test_follow_someone_and_the_narration() -> None:
    from hikisim.dashboard.status_view import narration

    session = Session(build=lambda **values: DashboardModel(**(values | {"youths": 400})), towns=0)
    session.advance(20)
    assert session.follow_someone()
    seat = session.followed
    assert session.model.population.youths.state[seat] in (State.WITHDRAWN, State.AT_RISK)
    assert "Following a" in narration(session)
    session.advance(1)
    text = narration(session)
    assert text.startswith("Week 21:") and "Following a" in text
    session.follow(None)
    assert narration(session).startswith("Week 21:")


def test_person_news_names_the_week_s_events() -> None:
    from hikisim.dashboard.story import Snapshot, person_news

    session = small_session()
    model = session.model
    seat = 0
    before = Snapshot.of(model)
    youths, network = model.population.youths, model.network
    youths.state[seat] = State.WITHDRAWN if youths.state[seat] != State.WITHDRAWN else State.ENGAGED
    entries = np.flatnonzero((network.entry_row == seat) & network.active)
    network.active[entries[:2]] = False  # two ties lost this week
    after = Snapshot.of(model)
    text = person_news(before, after, seat, model)
    assert "2 contacts lost touch" in text
    assert ("they stopped going out" in text) or ("they are back to daily life" in text)


def test_the_followed_person_s_ties_in_touch_and_lost() -> None:
    from hikisim.dashboard.story import describe

    session = small_session()
    model = session.model
    network = model.network
    offline = network.active & (network.kind != TieKind.ONLINE)
    seat = int(np.argmax(np.bincount(network.entry_row[offline], minlength=150)))
    entries = np.flatnonzero((network.entry_row == seat) & offline)
    lost = entries[:3]
    network.active[lost] = False  # three ties lost to withdrawal
    mine = network.entry_row == seat
    classmates = int(np.count_nonzero(mine & network.active & (network.kind == TieKind.CLASSMATE)))
    others = int(np.count_nonzero(mine & network.active & (network.kind != TieKind.CLASSMATE)))
    text = describe(model, seat)
    assert f"classmates in touch: {classmates}; others in touch: {others};" in text
    assert text.endswith("lost touch: 3."), text


def test_follow_when_nobody_can_be_followed_says_so() -> None:
    def build(**values):  # no warm-up: everyone is engaged at week 0
        return DashboardModel(**(values | {"youths": 150, "burn_in_years": 0}))

    session = Session(build=build, towns=0)
    assert not (session.model.population.youths.state != State.ENGAGED).any()
    controller = Controller(session, solara.reactive(0))
    controller.act("follow")
    assert session.followed is None
    assert narration(session) == tr("nobody_to_follow")
    _, rc = solara.render(StatusBar(session, 0, controller.on_act), handle_error=False)
    assert html(rc, "hikisim-narration").startswith("Nobody is at risk or withdrawn yet")
    controller.act("step")  # the next step tells the week again
    assert narration(session).startswith("Week 1:")


def test_step_and_jumps_at_the_last_week_say_the_run_has_ended() -> None:
    session = small_session()
    controller = Controller(session, solara.reactive(0))
    session.advance(session.weeks_left())
    end = session.model.horizon_week
    controller.act("step")
    assert narration(session) == f"Week {end}: the run has ended."
    started: list = []
    controller.run_in_background = started.append
    controller.act("jump_5")
    assert not started and session.busy is None, "a jump of 0 weeks was started"
    assert narration(session) == f"Week {end}: the run has ended."
    session.reset()
    assert narration(session) == tr("follow_hint")


# The page, rendered.


def test_page_steps_and_redraws() -> None:
    _, rc = render_page()
    assert html(rc, "hikisim-week").startswith("Week 0 of")
    before = chart_sources(rc)
    assert len(before) == 2  # network and episodes; the time series waits for week 1
    for _ in range(3):
        click(rc, "Step")
    assert html(rc, "hikisim-week").startswith("Week 3 of")
    after = chart_sources(rc)
    assert len(after) == 3 and after[0] != before[0]


def test_jump_shows_busy_then_lands() -> None:
    _, rc = render_page()
    click(rc, "Jump 1 year")
    assert rc.find(v.Btn, children=["Step"]).widget.disabled, "no busy state during the jump"
    wait_until(lambda: html(rc, "hikisim-week").startswith("Week 52 of"))
    wait_idle(rc)


def test_bad_seed_shows_message_in_page() -> None:
    _, rc = render_page()
    seed = rc.find(v.TextField, label="Seed (a whole number from 0)").widget
    seed.v_model = "twelve"
    seed.fire_event("focusout", None)  # the text box commits its value when it loses focus
    assert "Changed settings wait for Reset" in html(rc, "hikisim-pending")
    click(rc, "Reset")
    wait_until(lambda: "twelve" in str(rc.find(v.Alert, type="error").widget.children))
    assert "seed" in str(rc.find(v.Alert, type="error").widget.children)
    wait_idle(rc)
    # The page still runs the preset at the default size.
    click(rc, "Step")
    wait_until(lambda: html(rc, "hikisim-week").startswith("Week 1 of"))


def test_scenario_file_presets_the_controls(tmp_path, monkeypatch) -> None:
    caring = 'extends = "baseline.toml"\n[society]\nsocial_cohesion = 0.9\n'
    _, rc = page_with_scenarios(tmp_path, monkeypatch, caring_town=caring)
    rc.find(v.Select, label="Scenario file").widget.v_model = "caring_town.toml"
    wait_until(lambda: "Scenario caring_town" in html(rc, "hikisim-scenario"))
    wait_until(lambda: "level 0.90" in html(rc, "hikisim-label-society__social_cohesion"))


# matplotlib warns for each character of a label that no font in use can draw.
@pytest.mark.filterwarnings("error:Glyph:UserWarning")
def test_language_switch_translates_controls_and_views() -> None:
    _, rc = render_page()
    rc.find(v.Select, label="Language").widget.v_model = "日本語"
    assert html(rc, "hikisim-week").startswith("第 0 週")
    rc.find(v.Btn, children=["1週進む"]).assert_single()
    rc.find(v.Select, label="言語").widget.v_model = "Italiano"
    assert html(rc, "hikisim-week").startswith("Settimana 0 di")


def test_every_slider_shows_its_value_and_unit() -> None:
    _, rc = render_page()
    params = controls.model_params(controls.load_preset("baseline.toml"), "baseline.toml")
    for name, spec in params.items():
        if isinstance(spec, dict) and spec["type"].startswith("Slider"):
            label = html(rc, f"hikisim-label-{name}")
            assert value_text(spec, spec["value"]) in label, name
    assert value_text(params["youths"], 1000) == "1,000 youths"
    assert value_text(params["family__neglect_share"], 0.1) == "10 %"


def test_page_uses_no_browser_markdown() -> None:
    """solara.Markdown loads KaTeX and Mermaid from the CDN path; the page must not use it."""
    _, rc = render_page()
    click(rc, "Step")
    templates = [w.template for w in rc.find(v.VuetifyTemplate).widgets if hasattr(w, "template")]
    assert not any("katex" in str(t) or "mermaid" in str(t) for t in templates)


# Views and their pieces.


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
    model = DashboardModel(**(controls.initial_values(params) | {"burn_in_years": 0}))
    assert model.input_error is None


def test_preset_values_sit_on_their_slider_grid() -> None:
    """The browser snaps a slider to its grid; a preset off the grid would look changed."""
    for file_name in controls.scenario_files():
        params = controls.model_params(controls.load_preset(file_name), file_name)
        for name, spec in params.items():
            if isinstance(spec, dict) and spec["type"] == "SliderFloat":
                steps = (spec["value"] - spec["min"]) / spec["step"]
                assert abs(steps - round(steps)) < 1e-6, (file_name, name, spec)


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


def test_comparison_view_shows_chart_and_table_with_programmes(treated: DashboardModel) -> None:
    _, rc = solara.render(ComparisonView(treated, None, 0, "en"), handle_error=False)
    rc.find(ClickableImage).assert_single()
    prose = " ".join(w.unsafe_innerHTML for w in rc.find(HTML).widgets)
    assert "averted" in prose and "weeks of help given" in prose and "<table>" in prose


def test_comparison_view_explains_how_to_start_without_programmes() -> None:
    _, rc = solara.render(
        ComparisonView(DashboardModel(**SMALL), None, 0, "en"), handle_error=False
    )
    assert "No programme is switched on" in str(rc.find(v.Alert).widget.children)


def test_comparison_axes_start_at_zero(treated: DashboardModel) -> None:
    canvas = ComparisonCanvas(treated, treated.baseline)
    canvas.update()
    low, high = canvas.axes.get_ylim()
    assert low <= 0 < high
    assert canvas.axes.get_xlim()[0] == 0
    without, with_ = canvas.without.get_ydata(), canvas.with_.get_ydata()
    np.testing.assert_array_equal(canvas.averted.get_ydata(), without - with_)


def test_time_series_axes_follow_the_data() -> None:
    model = DashboardModel(**SMALL)
    canvas = TimeSeriesCanvas(model)
    canvas.update()  # week 0: no data yet
    for _ in range(30):
        model.step()
    canvas.update()
    top = max(record["at_risk"] for record in model.weekly_records)
    low, high = canvas.states_axes.get_ylim()
    assert low == 0 and high >= top
    # The x axis grows by quarters, then by years: 30 weeks show on a half-year axis.
    assert canvas.states_axes.get_xlim() == (0, 52)
    assert high in canvas.states_axes.get_yticks(), "the y axis ends on a tick"


def test_the_week_by_week_chart_counts_weeks_as_the_header_does() -> None:
    # After 10 steps the header says week 10: the chart's last point and the CSV's last
    # row are week 10 and hold the counts now, as the comparison view's do.
    model = DashboardModel(**SMALL)
    canvas = TimeSeriesCanvas(model)
    for _ in range(10):
        model.step()
    canvas.update()
    line = canvas.lines["at_risk"]
    assert list(line.get_xdata()) == list(range(1, 11))
    assert line.get_ydata()[-1] == model.weekly_records[-1]["at_risk"]
    rows = records_csv(list(model.weekly_records), ["at_risk"]).splitlines()
    assert rows[0] == "week,at_risk" and rows[1].startswith("1,")
    assert rows[-1] == f"10,{model.weekly_records[-1]['at_risk']:g}"
    # The comparison view's CSV of the same run ends on the same week.
    assert comparison_csv(model, model).splitlines()[-1].startswith("10,")


def test_charts_redraw_their_axes_only_when_the_data_outgrow_them() -> None:
    """A Step redraws only the lines; the axes and ticks are kept while they still fit."""
    model = DashboardModel(**SMALL)
    canvas = TimeSeriesCanvas(model)
    for _ in range(27):
        model.step()
    canvas.update()
    drawn, limits = canvas.frame.background_draws, canvas.frame.limits()
    outgrown, pictures = 0, set()
    for _ in range(20):  # weeks 28 to 47, inside the first year's axis
        model.step()
        pictures.add(canvas.update())
        now = canvas.frame.limits()
        if now != limits:
            # Limits only ever widen, to take in data that no longer fit.
            for (x0, x1, y0, y1), (x0_new, x1_new, y0_new, y1_new) in zip(limits, now, strict=True):
                assert x0_new <= x0 and x1_new >= x1 and y0_new <= y0 and y1_new >= y1
            outgrown += 1
            limits = now
    assert canvas.states_axes.get_xlim() == (0, 52)
    # Redrawn exactly when the data outgrew the axes, and those weeks are the exception.
    assert canvas.frame.background_draws - drawn == outgrown
    assert outgrown < 10, "the axes were redrawn week after week"
    assert len(pictures) > 1, "the lines did not move"


class FakeRun:
    """Weekly records whose shares rise to ``top``: all a time-series canvas reads."""

    def __init__(self, top: float, weeks: int = 30) -> None:
        self.horizon_start, self.total_weeks = 0, 520
        rise = np.linspace(0, 1, weeks)
        self.weekly_records = [
            {"week": week + 1.0}
            | {name: 20.0 * r for name in STATE_SERIES}
            | {name: top * r for name in RATE_SERIES}
            for week, r in enumerate(rise)
        ]


@pytest.mark.parametrize("top", [0.003, 0.012, 0.04, 0.07, 0.12, 0.35])
def test_share_ticks_are_labelled_with_their_exact_values(top: float) -> None:
    canvas = TimeSeriesCanvas(FakeRun(top))
    canvas.update()
    axes = canvas.rates_axes
    low, high = axes.get_ylim()
    ticks = [tick for tick in axes.get_yticks() if low <= tick <= high]
    labels = [label.get_text() for label in axes.get_yticklabels()][: len(ticks)]
    assert len(ticks) >= 3 and high >= top
    for tick, label in zip(ticks, labels, strict=True):
        assert label.endswith("%") and float(label[:-1]) == pytest.approx(100 * tick), labels
    assert len(set(labels)) == len(labels), labels


def chart_words(axes) -> tuple[str, str]:
    return axes.get_xlabel(), axes.get_ylabel()


def assert_inside_figure(figure) -> None:
    """Every axes' labels, ticks and title are drawn inside the picture."""
    renderer = figure.canvas.get_renderer()
    box = figure.bbox
    for axes in figure.axes:
        tight = axes.get_tightbbox(renderer)
        assert tight.x0 >= box.x0 - 1 and tight.y0 >= box.y0 - 1, (axes, tight, box)
        assert tight.x1 <= box.x1 + 1 and tight.y1 <= box.y1 + 1, (axes, tight, box)


@pytest.mark.parametrize("lang", ["en", "it"])
def test_charts_label_their_axes_in_the_page_s_language(treated, lang: str) -> None:
    language.set(lang)
    series = TimeSeriesCanvas(treated)
    series.update()
    assert chart_words(series.states_axes) == (tr("axis_week"), tr("axis_youths"))
    assert chart_words(series.rates_axes) == (tr("axis_week"), tr("axis_share"))
    assert series.states_axes.get_title(loc="left") == tr("panel_states")
    assert series.rates_axes.get_title(loc="left") == tr("panel_rates")
    comparison = ComparisonCanvas(treated, treated.baseline)
    comparison.update()
    assert chart_words(comparison.axes) == (tr("axis_week"), tr("axis_new_cases"))
    episodes = EpisodeCanvas(list(DURATION_BINS))
    episodes.update(duration_histogram(treated))
    assert chart_words(episodes.axes) == (tr("axis_duration"), tr("axis_cases"))
    for canvas in (series, comparison, episodes):
        assert_inside_figure(canvas.figure)


def test_a_new_language_redraws_the_axis_labels(treated) -> None:
    canvas = TimeSeriesCanvas(treated)
    english = canvas.update()
    language.set("it")
    assert canvas.update() != english
    assert canvas.states_axes.get_xlabel() == "settimana"


def test_no_two_time_series_lines_look_alike() -> None:
    items = timeseries_legend()
    looks = [(item.colour.lower(), item.kind) for item in items]
    assert len(set(looks)) == len(looks), looks
    # Above all, the black withdrawn count (left) and the black hikikomori share (right).
    kinds = {item.label: item.kind for item in items}
    assert kinds["legend_withdrawn"] != kinds["legend_hikikomori"]
    canvas = TimeSeriesCanvas(FakeRun(0.1))
    drawn = canvas.lines["prevalence_15_39"].get_linestyle()
    assert drawn != canvas.lines["withdrawn"].get_linestyle()
    assert "repeating-linear-gradient" in legend_html([i for i in items if i.kind == "dashdot"])


def test_the_other_towns_sentence_points_to_the_band() -> None:
    class FinishedTowns:
        def at_week(self, week: int) -> ensemble.EnsembleSummary:
            return ensemble.EnsembleSummary(towns=4, mean=3.0, low=0.0, high=4.0)

    sentence = ensemble_sentence(FinishedTowns(), 260)
    assert sentence.endswith("(from 0 to 4, the shaded band).")
    language.set("it")
    assert "(da 0 a 4, la fascia ombreggiata)" in ensemble_sentence(FinishedTowns(), 260)


def test_view_titles_are_short_names_and_the_figures_say_the_rest() -> None:
    session = small_session("parenting_course.toml")
    session.advance(3)
    controller = Controller(session, solara.reactive(0))
    _, rc = solara.render(Views(controller, 0), handle_error=False)
    titles = [
        w.unsafe_innerHTML
        for w in rc.find(HTML).widgets
        if "hikisim-view-title" in w.attributes.get("class", "")
    ]
    names = ["view_network", "view_comparison", "view_timeseries", "view_episodes"]
    assert titles == [tr(name) for name in names]


def test_status_bar_reports_a_failed_step() -> None:
    session = small_session()

    def broken_step() -> None:
        raise RuntimeError("kernel exploded")

    session.model.kernel.step = lambda week: broken_step()
    session.toggle_play()
    session.advance(3)
    assert not session.playing and "kernel exploded" in session.model.run_error
    _, rc = solara.render(StatusBar(session, 0, lambda action: None), handle_error=False)
    assert "kernel exploded" in str(rc.find(v.Alert).widget.children)


def test_duration_histogram_counts_every_current_case_once(treated: DashboardModel) -> None:
    histogram = duration_histogram(treated)
    cases = current_cases(treated)
    assert histogram.total == len(cases)
    secondary = int((treated.population.youths.disorder[cases] > 0).sum())
    assert histogram.secondary.sum() == secondary
    assert histogram.csv().splitlines()[0] == "years,primary,secondary"


def test_layout_clusters_each_class_apart_in_age_order() -> None:
    group = np.repeat(np.arange(6), 10)
    age = np.repeat(np.array([30, 10, 20, 15, 35, 25]), 10)
    positions = cluster_layout(group, age, aspect=1.5)
    centres = np.array([positions[group == g].mean(axis=0) for g in range(6)])
    spread = max(np.linalg.norm(positions[group == g] - centres[g], axis=1).max() for g in range(6))
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(6, 1)]
    assert spread < gaps.min() / 2, "classes overlap"
    # Youngest class top left, oldest last.
    youngest, oldest = centres[1], centres[4]
    assert youngest[1] >= oldest[1] and (youngest[0] < oldest[0] or youngest[1] > oldest[1])
    np.testing.assert_array_equal(positions, cluster_layout(group, age, aspect=1.5))


def test_network_canvas_colours_nodes_and_picks_a_clicked_person(treated) -> None:
    canvas = NetworkCanvas(treated)
    assert canvas.update(followed=None).startswith(b"\x89PNG")
    state = treated.population.youths.state
    for code, dots in canvas.dots.items():
        np.testing.assert_array_equal(dots.get_xydata(), canvas.positions[state == code])
        np.testing.assert_allclose(to_rgba_array(dots.get_color())[0], STATE_COLOUR_TABLE[code])
    # A click on a youth's own position picks that youth.
    seat = 17
    x, y = canvas.positions[seat]
    from hikisim.dashboard.layout import NETWORK_ASPECT

    fraction_x = (x + 0.02) / (NETWORK_ASPECT + 0.04)
    fraction_y = 1 - (y + 0.02) / 1.04
    assert canvas.nearest(fraction_x, fraction_y) == seat
    canvas.update(followed=seat)
    assert len(canvas.rings.get_offsets()) > 1


def test_tie_raster_walks_each_pixel_of_a_tie_once() -> None:
    from hikisim.dashboard.network_view import TieRaster

    # A flat tie, a steep one, and a diagonal one that runs off the right edge.
    starts = np.array([[0.5, 1.5], [2.5, 0.2], [9.5, 0.5]])
    ends = np.array([[10.5, 1.5], [2.5, 2.8], [13.5, 2.5]])
    raster = TieRaster(starts, ends, width=12, height=3)
    flat = raster.count(np.array([True, False, False]))
    assert flat[1, :11].tolist() == [1] * 11 and flat.sum() == 11
    steep = raster.count(np.array([False, True, False]))
    assert steep[:, 2].tolist() == [1, 1, 1] and steep.sum() == 3
    assert raster.count(np.array([False, False, True])).sum() == 3  # 9, 10, 11; then off
    both = raster.count(np.array([True, True, False]))
    assert both[1, 2] == 2, "crossing ties add up"
    dashed = raster.count(np.array([True, False, False]), dashed=True)
    assert 0 < dashed.sum() < flat.sum() and dashed[1, 0] == 1


def test_network_picture_shows_a_lost_tie(treated) -> None:
    canvas = NetworkCanvas(treated)
    canvas.update(followed=None)
    before = canvas.ties_picture()
    network = treated.network
    entries = canvas.tie_entries[canvas.offline]
    drawn = entries[canvas.drawn & network.active[entries]]
    saved = network.active.copy()
    try:
        network.active[drawn[:5]] = False
        after = canvas.ties_picture()
        assert after is not before, "the ties picture was not redrawn"
        lost = np.array([*to_rgba_array(style.LOST_TIE_COLOUR)[0, :3] * 255, 255]).round()
        assert (after == lost).all(axis=2).sum() > (before == lost).all(axis=2).sum()
    finally:
        network.active[:] = saved
    assert canvas.ties_picture() is not after


def test_state_colours_are_distinct_and_one_meaning_each() -> None:
    from hikisim.dashboard import style

    colours = [
        *style.STATE_COLOURS.values(),
        style.LOST_TIE_COLOUR,
        style.FOLLOWED_COLOUR,
        style.WITH_COLOUR,
        style.WITHOUT_COLOUR,
        style.AVERTED_COLOUR,
    ]
    assert len({c.lower() for c in colours}) == len(colours)


def test_ensemble_averages_other_towns() -> None:
    scenario = DashboardModel(
        **(SMALL | {"burn_in_years": 1}), interventions__parenting_course__enabled=True
    ).settings.with_overrides({"run.years": 0.5})
    towns = ensemble.Ensemble(scenario, towns=2)
    wait_until(lambda: towns.done == 2, seconds=120)
    curves = towns.curves()
    assert curves.shape == (2, 26)
    # The same towns as running the seeds here.
    seed = ensemble.town_seeds(scenario, 2)[1]
    expected = ensemble.averted_by_week(scenario.with_overrides({"run.seed": seed}))
    assert any(np.array_equal(curve, expected) for curve in curves)
    summary = towns.at_week(10)
    assert summary.towns == 2
    assert summary.low <= summary.mean <= summary.high
    np.testing.assert_allclose(summary.mean, curves[:, 9].mean())


def test_ensemble_cancel_stops_its_process() -> None:
    scenario = DashboardModel(**SMALL, interventions__parenting_course__enabled=True).settings
    towns = ensemble.Ensemble(scenario, towns=3)
    towns.cancel()
    assert not towns.running and towns.done == 0


def test_parenting_sliders_past_all_families_are_refused_in_the_sliders_words() -> None:
    # Each slider is in range (0.5 and 0.6); together they would be 110% of families.
    # The scenario would refuse them too, but in the words of its file, not the page's.
    overrides = {"family__neglect_share": 0.5, "family__overprotection_share": 0.6}
    with pytest.raises(InputError) as caught:
        controls.build_scenario("baseline.toml", 1000, 1, 0, overrides)
    assert caught.value.source == "family sliders"
    assert "1.10, more than all families" in str(caught.value)
    fine = controls.build_scenario(
        "baseline.toml",
        1000,
        1,
        0,
        {"family__neglect_share": 0.4, "family__overprotection_share": 0.6},
    )
    assert (fine.family.neglect_share, fine.family.overprotection_share) == (0.4, 0.6)


def test_the_seed_box_takes_what_the_command_line_takes() -> None:
    assert controls.parse_seed(" 12 ") == 12
    assert controls.parse_seed(str(2**63 - 1)) == 2**63 - 1
    for text in ("abc", "1.5", str(2**63), "-1"):
        with pytest.raises(InputError):
            controls.parse_seed(text)
