"""The status bar above the views: week, scenario, programmes, seed, pending changes, story."""

from __future__ import annotations

from collections.abc import Callable

import solara

from hikisim.dashboard.i18n import language, number, tr
from hikisim.dashboard.session import Session
from hikisim.dashboard.story import describe, person_news, town_news
from hikisim.dashboard.strings import PROGRAMMES


def week_text(session: Session) -> str:
    """The week counter, such as ``Week 12 of 520 (year 0.2)``."""
    model = session.model
    return tr(
        "status_week",
        week=max(model.horizon_week, 0),
        total=model.horizon_weeks,
        year=number(model.years_shown, ".1f"),
    )


def scenario_text(session: Session) -> str:
    """The scenario, seed, size and programmes the current run was built from."""
    settings = session.model.settings
    names = [PROGRAMMES[language.value][name] for name in settings.enabled_interventions()]
    programmes = (
        tr("status_programmes", names=", ".join(names)) if names else tr("status_no_programmes")
    )
    scenario = tr(
        "status_scenario",
        name=settings.name,
        seed=settings.run.seed,
        youths=number(settings.population.youths, ","),
    )
    return f"{scenario} · {programmes}"


def narration(session: Session) -> str:
    """The narration line: a notice, else the followed person's week, else the town's."""
    model = session.model
    if session.notice is not None:
        notice = tr(session.notice, week=max(model.horizon_week, 0))
        if session.followed is not None:
            return f"{notice} {describe(model, session.followed)}"
        return notice
    if session.followed is not None:
        who = describe(model, session.followed)
        if session.story is None:
            return who
        before, after = session.story
        return f"{person_news(before, after, session.followed, model)} {who}"
    if session.story is None:
        return tr("follow_hint")
    return town_news(*session.story, model)


@solara.component
def StatusBar(session: Session, version: int, act: Callable[[str], None]) -> None:  # noqa: N802
    """Week, scenario, messages, the busy indicator and the narration line.

    Args:
        session: The class's session.
        version: Bumped whenever the run changes, so the bar redraws.
        act: Runs a named action (see :func:`hikisim.dashboard.sidebar.Sidebar`).
    """
    model = session.model
    with model.lock:
        week, story = week_text(session), narration(session)
    # Conditional pieces come last in their row, so a message appearing never shifts
    # the elements before it (which would make the browser swap them for new ones).
    with solara.Div(classes=["hikisim-status"]):
        with solara.Row(gap="12px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.HTML(tag="span", unsafe_innerHTML=week, classes=["hikisim-week"])
            solara.HTML(
                tag="span", unsafe_innerHTML=scenario_text(session), classes=["hikisim-scenario"]
            )
            if session.pending:
                solara.HTML(
                    tag="span",
                    unsafe_innerHTML="⚠ " + tr("status_pending"),
                    classes=["hikisim-pending"],
                    style="color:#a04000;font-weight:600",
                )
            if session.busy:
                with solara.Row(classes=["hikisim-busy"], style={"align-items": "center"}):
                    solara.SpinnerSolara(size="28px")
                    solara.Text(session.busy)
        with solara.Row(gap="8px", style={"align-items": "center"}):
            following = session.followed is not None
            solara.Button(
                tr("unfollow") if following else tr("follow"),
                on_click=lambda: act("unfollow" if following else "follow"),
                small=True,
                outlined=True,
                icon_name="mdi-account-search",
                classes=["hikisim-follow"],
            )
            solara.HTML(tag="span", unsafe_innerHTML=story, classes=["hikisim-narration"])
        if model.input_error:
            solara.Error(
                tr("status_input_error", error=model.input_error), classes=["hikisim-input-error"]
            )
        if model.run_error:
            solara.Error(tr("status_run_error", error=model.run_error))
        if model.finished:
            solara.Success(tr("status_finished"))
