"""Each point of the lesson in docs/dashboard.md shows at the dashboard's default settings.

These drive a :class:`~hikisim.dashboard.session.Session` as the class would (pick a file,
move a slider, Reset, Jump 5 years) with the default town and seed, so the guide's
promises are checked against what the page will actually show.
"""

from __future__ import annotations

import numpy as np
import pytest

from hikisim.dashboard import controls
from hikisim.dashboard.comparison import compare
from hikisim.dashboard.ensemble import averted_by_week, town_seeds
from hikisim.dashboard.episode_view import duration_histogram
from hikisim.dashboard.session import Session
from hikisim.states import WEEKS_PER_YEAR

pytestmark = [pytest.mark.slow]
FIVE_YEARS = 5 * WEEKS_PER_YEAR
PEER_MAX = max(c.high for c in controls.FACTOR_CONTROLS if c.key == "dynamics.peer_weight")


def jumped(session: Session, years: int = 5) -> Session:
    session.advance(session.jump_weeks(years))
    return session


def new_episodes(session: Session) -> int:
    return int(sum(record["new_episodes"] for record in session.model.weekly_records))


def test_default_town_has_a_thousand_youths_or_more() -> None:
    session = Session(towns=0)
    assert session.model.settings.population.youths >= 1000


def test_lesson_peer_influence_spreads_withdrawal() -> None:
    """Peer influence 0 against its maximum: far more people withdraw in 5 years."""
    counts = {}
    for weight in (0.0, PEER_MAX):
        session = Session(towns=0)
        session.set_value("dynamics__peer_weight", weight)
        session.reset()
        counts[weight] = new_episodes(jumped(session))
    assert counts[PEER_MAX] >= 2 * counts[0.0], counts


def test_lesson_programmes_avert_cases_in_the_town_and_on_average() -> None:
    """comprehensive.toml, Jump 5 years: cases averted in this town and in the others."""
    session = Session(towns=0)
    assert session.pick("comprehensive.toml")
    jumped(session)
    assert compare(session.model, session.model.baseline).cases_averted > 0
    # The background towns of the page, up to the same week (common random numbers:
    # a shorter horizon leaves the first five years unchanged).
    scenario = session.model.settings.with_overrides({"run.years": 5})
    towns = [
        averted_by_week(scenario.with_overrides({"run.seed": seed}))[-1]
        for seed in town_seeds(scenario, 2)
    ]
    assert np.mean(towns) > 0, towns


def test_lesson_once_withdrawn_people_stay_withdrawn_for_years() -> None:
    """The duration bars: most current cases have lasted over a year, some over three."""
    session = Session(towns=0)
    for _ in range(2):  # at week 0, and again five years on
        histogram = duration_histogram(session.model)
        counts = histogram.primary + histogram.secondary
        assert counts[1:].sum() >= 0.5 * counts.sum() > 0, counts  # 1 year or more
        assert counts[2:].sum() >= 1, counts  # 3 years or more
        jumped(session)
