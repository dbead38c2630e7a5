"""Print every figure quoted by the lesson in docs/dashboard.md, in lesson order.

The lesson ("The lesson (15 minutes)") and the narration example under "The status line"
quote numbers read off the dashboard at its default settings. This script drives a
:class:`~hikisim.dashboard.session.Session` through the same clicks the lesson asks for
(Restore defaults, move a slider, Reset, Jump 1 or 5 years, Follow someone who withdraws,
pick a scenario file) and prints what the page would show, one labelled line per figure,
so a maintainer can copy them into the guide.

The shown town uses the dashboard's defaults (``baseline.toml``, 1,000 youths, the
scenario's seed, 10 warm-up years). The "other towns" figures are those of the
comparison view's background towns: the same seeds (:func:`ensemble.town_seeds`), the
same curves (:func:`ensemble.averted_by_week` over the full horizon) and the same
summary at the current week, but run one after another in this process rather than in
the page's child process.

Run it alone (single process, about a minute on two shared cores)::

    .venv/bin/python experiments/lesson_figures.py
"""

from __future__ import annotations

import numpy as np

from hikisim.dashboard import controls
from hikisim.dashboard.comparison import compare
from hikisim.dashboard.ensemble import (
    EXTRA_TOWNS,
    EnsembleSummary,
    averted_by_week,
    summary_at_week,
    town_seeds,
)
from hikisim.dashboard.episode_view import duration_histogram
from hikisim.dashboard.session import Session
from hikisim.dashboard.status_view import narration

PEER_KEY = "dynamics__peer_weight"
PEER_MAX = max(c.high for c in controls.FACTOR_CONTROLS if c.key == "dynamics.peer_weight")
PROGRAMME_FILES = ("comprehensive.toml", "school_prevention.toml", "parenting_course.toml")


def show(label: str, value: object) -> None:
    """Print one figure on a labelled line.

    Args:
        label: What the figure is, prefixed with the lesson's step.
        value: The figure as the page shows it.
    """
    print(f"{label}: {value}")


def new_session() -> Session:
    """A session at the dashboard's defaults, as after *Restore defaults*.

    Returns:
        The session at week 0, with no background towns (they are computed separately).
    """
    return Session(towns=0)


def jump(session: Session, years: int) -> Session:
    """Press *Jump 1 year* or *Jump 5 years*: the same call the page's button makes.

    Args:
        session: The session to move on.
        years: 1 or 5.

    Returns:
        The same session, ``years`` later (never past its horizon).
    """
    session.advance(session.jump_weeks(years))
    return session


def withdrew(session: Session) -> int:
    """Withdrawal episodes that began since week 0 (what the lesson test counts).

    Args:
        session: A session moved on from week 0.
    """
    return int(sum(record["new_episodes"] for record in session.model.weekly_records))


def peer_influence_run(weight: float | None) -> Session:
    """Set *peer influence*, press *Reset*, then *Jump 5 years*.

    Args:
        weight: The slider's value; None keeps the default.

    Returns:
        The session five years on.
    """
    session = new_session()
    if weight is not None:
        session.set_value(PEER_KEY, weight)
        session.reset()
    return jump(session, 5)


def print_peer_influence() -> None:
    """Step 2: people who withdrew over five years at peer influence 0, maximum, default."""
    default = controls.preset_values(controls.DEFAULT_SCENARIO_FILE)[PEER_KEY]
    for name, weight in (("0", 0.0), (f"{PEER_MAX:g}", PEER_MAX), (f"{default:g} default", None)):
        session = peer_influence_run(weight)
        show(f"[2] peer influence {name}: people withdrew over five years", withdrew(session))
        show(f"[2] peer influence {name}: narration after the jump", narration(session))


def print_narration_example() -> None:
    """The status line's example: the town's narration after *Jump 1 year* from defaults."""
    show("[status line] narration after Jump 1 year", narration(jump(new_session(), 1)))


def print_story_of_one_person() -> None:
    """Step 3: defaults, *Jump 1 year*, then *Follow someone who withdraws*."""
    session = jump(new_session(), 1)
    if not session.follow_someone():
        show("[3] followed person", "nobody is at risk or withdrawn")
        return
    show("[3] narration after Follow someone who withdraws", narration(session))


def duration_counts(session: Session) -> tuple[int, int, int]:
    """The *How long cases last* bars, summed: all cases, over one year, over three years.

    Args:
        session: The session to read.

    Returns:
        Current cases, those lasting 1 year or more, and those lasting 3 years or more.
    """
    histogram = duration_histogram(session.model)
    counts = histogram.primary + histogram.secondary
    return int(counts.sum()), int(counts[1:].sum()), int(counts[2:].sum())


def print_durations() -> None:
    """Step 4: current cases by duration at week 0 and after *Jump 5 years*."""
    session = new_session()
    for when in ("week 0", "after Jump 5 years"):
        total, over_one, over_three = duration_counts(session)
        show(f"[4] {when}: current cases", total)
        show(f"[4] {when}: lasted more than a year", over_one)
        show(f"[4] {when}: lasted more than three years", over_three)
        jump(session, 5)


def other_towns(session: Session) -> EnsembleSummary:
    """The comparison view's background towns at the session's week, as the page sums them.

    Args:
        session: A session with programmes switched on, moved on from week 0.

    Returns:
        The towns' mean and range of cases averted by the current week.
    """
    scenario = session.model.settings
    curves = np.array(
        [
            averted_by_week(scenario.with_overrides({"run.seed": seed}))
            for seed in town_seeds(scenario, EXTRA_TOWNS)
        ]
    )
    summary = summary_at_week(curves, session.model.horizon_week)
    assert summary is not None  # the lesson reads the towns after a jump of 5 years
    return summary


def print_programme(file_name: str) -> None:
    """Step 5 for one scenario file: pick it, *Jump 5 years*, read the comparison view.

    Args:
        file_name: A file in ``scenarios/`` with programmes switched on.
    """
    session = new_session()
    if not session.pick(file_name):
        show(f"[5] {file_name}", session.picker_error)
        return
    jump(session, 5)
    result = compare(session.model, session.model.baseline)
    towns = other_towns(session)
    show(f"[5] {file_name}: this town, cases averted", result.cases_averted)
    show(f"[5] {file_name}: this town, person-years averted", f"{result.person_years_averted:.1f}")
    show(
        f"[5] {file_name}: {towns.towns} other towns, cases averted",
        f"{towns.low:g} to {towns.high:g}, {towns.mean:.1f} on average",
    )


def main() -> None:
    """Print the lesson's figures in the order docs/dashboard.md quotes them."""
    print_narration_example()
    print_peer_influence()
    print_story_of_one_person()
    print_durations()
    for file_name in PROGRAMME_FILES:
        print_programme(file_name)


if __name__ == "__main__":
    main()
