"""The model the dashboard drives: a HikiModel built from the sidebar, with a baseline twin.

The twin is the same scenario with every intervention switched off and the same seed.
Both step together, so the comparison view shows only what the interventions change:
each mechanism draws from its own random stream, so the two runs share their luck.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import Any

import numpy as np

from hikisim.dashboard import controls
from hikisim.dashboard.layout import cluster_layout
from hikisim.errors import InputError
from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR

logger = logging.getLogger(__name__)


def without_interventions(scenario: Scenario) -> Scenario:
    """The same scenario with every intervention switched off."""
    switches = {f"interventions.{name}.enabled": False for name in scenario.enabled_interventions()}
    return scenario.with_overrides(switches, source="baseline twin") if switches else scenario


class DashboardModel(HikiModel):
    """A HikiModel built from the dashboard's controls, warmed up and paired with a baseline.

    The warm-up (the scenario's burn-in) runs when the model is built, so week 0 is what
    the class sees first and Mesa's step counter equals the horizon week.

    Args:
        scenario_file: The preset file in ``scenarios/`` that the controls start from.
        youths: Number of youths.
        seed: Random seed, as typed in the sidebar.
        burn_in_years: Warm-up years simulated before week 0.
        **overrides: Further controls: dotted scenario keys written with ``__``, such as
            ``family__stigma=0.8`` or ``interventions__parenting_course__enabled=True``.

    Attributes:
        input_error: Why the controls could not be used, or None. The model then runs the
            preset's scenario at the default size, so the page always has something to show.
        run_error: Why the simulation stopped, or None.
        baseline: The twin without interventions, or None when none is switched on.
        lock: Held while the model steps and while a view reads it: play and jumps step
            on worker threads while the page may be drawing, and a view that caught the
            run half-way through a week would pair this week's run with last week's twin.
    """

    def __init__(
        self,
        *,
        scenario_file: str = controls.DEFAULT_SCENARIO_FILE,
        youths: int = controls.DEFAULT_YOUTHS,
        seed: int | str = Scenario().run.seed,
        burn_in_years: int = controls.DEFAULT_BURN_IN_YEARS,
        **overrides: Any,
    ) -> None:
        try:
            settings = controls.build_scenario(
                scenario_file, youths, seed, burn_in_years, overrides
            )
            input_error = None
        except InputError as error:
            settings = controls.fallback_scenario(scenario_file)
            input_error = str(error)
        super().__init__(settings)
        self.lock = threading.RLock()
        self.input_error: str | None = input_error
        self.run_error: str | None = None
        self.baseline: HikiModel | None = (
            HikiModel(without_interventions(settings)) if settings.enabled_interventions() else None
        )
        self._warm_up()

    def _warm_up(self) -> None:
        # super().step() is HikiModel's own step, not Mesa's wrapper, so the warm-up does
        # not count as steps the class watched.
        while self.horizon_week < 0:
            super().step()
            if self.baseline is not None:
                self.baseline.step()

    def step(self) -> None:
        """Simulate one week of both runs; an unexpected failure stops the run with a message."""
        try:
            with self.lock:
                super().step()
                if self.baseline is not None:
                    self.baseline.step()
        except Exception as error:  # the page reports it instead of showing a traceback
            logger.exception("simulation step failed")
            self.run_error = f"the simulation stopped at week {self.horizon_week}: {error}"
            self.running = False

    @cached_property
    def layout(self) -> np.ndarray:
        """Positions of the youths in the network view, computed once per model."""
        youths = self.population.youths
        return cluster_layout(youths.school_class, youths.age_weeks)

    @property
    def years_shown(self) -> float:
        """Years simulated since week 0."""
        return max(self.horizon_week, 0) / WEEKS_PER_YEAR

    @property
    def horizon_weeks(self) -> int:
        """Length of the horizon in weeks."""
        return self.total_weeks - self.horizon_start
