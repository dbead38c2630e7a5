"""One class's session: the controls' values, the run they built, and play, jumps and picks.

Plain Python with no Solara in it, so every rule of the lesson (a picked file loads into
Reset, picking stops play, changed settings wait for Reset, a jump never overshoots the
horizon) is tested without a browser. The page (``app``) only renders a session and
forwards clicks to it.

Play and long jobs (Reset, jumps) run on Solara's worker threads while clicks arrive
on the event loop, so every change to the run happens under one lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hikisim.dashboard import controls, ensemble
from hikisim.dashboard.ensemble import Ensemble
from hikisim.dashboard.model import DashboardModel
from hikisim.dashboard.story import Snapshot, someone_who_withdraws
from hikisim.errors import InputError
from hikisim.states import WEEKS_PER_YEAR


@dataclass(frozen=True)
class Speed:
    """How fast ▶ plays.

    Attributes:
        weeks: Weeks simulated per frame; above one the frames skip weeks.
        pause: Seconds between frames.
    """

    weeks: int
    pause: float


# "slow" lets a class read the narration line; "fast" skips weeks between frames so a
# decade passes in about a minute, while never stepping past the horizon.
SPEEDS: dict[str, Speed] = {
    "slow": Speed(weeks=1, pause=0.8),
    "normal": Speed(weeks=1, pause=0.15),
    "fast": Speed(weeks=4, pause=0.05),
}
DEFAULT_SPEED = "normal"
JUMP_YEARS = (1, 5)


class Session:
    """The state behind one browser tab.

    Args:
        file_name: The scenario file to start from.
        build: Builds a model from keyword arguments; :class:`DashboardModel` unless a
            test passes a stand-in.
        towns: Extra towns averaged in the comparison; ``ensemble.EXTRA_TOWNS`` if
            omitted, 0 for none.

    Attributes:
        file_name: The scenario file the controls start from and Reset loads.
        values: The controls' current values, keyed by the model's keyword arguments.
        applied: The values the current run was built from.
        model: The current run.
        playing: Whether ▶ is playing.
        speed: A key of :data:`SPEEDS`.
        busy: What a long job is doing (a key of the page's strings), or None.
        picker_error: Why the last picked file could not be loaded, or None.
        refused_picks: How many picked files could not be loaded; the picker is redrawn
            from scratch when it changes, to show the running file again.
        followed: The seat of the youth the network view follows, or None.
        followed_person: That youth's identity, to notice when the seat is reused.
        story: Snapshots before and after the last step or jump, for the narration.
        notice: A key of the page's strings that the narration line says instead of the
            week's news, or None: why *Follow someone who withdraws* found nobody, or
            that a Step or jump found the run ended. The next step, follow or Reset
            clears it.
        ensemble: The extra towns of the current run, or None without programmes.
    """

    def __init__(
        self,
        file_name: str = controls.DEFAULT_SCENARIO_FILE,
        build: Callable[..., DashboardModel] = DashboardModel,
        towns: int | None = None,
    ) -> None:
        self._build = build
        self._towns = ensemble.EXTRA_TOWNS if towns is None else towns
        self.ensemble: Ensemble | None = None
        self.lock = threading.RLock()
        self.file_name = file_name
        self.values: dict[str, Any] = controls.preset_values(file_name)
        self.applied: dict[str, Any] = {}
        self.model: DashboardModel = self._new_model()
        self.playing = False
        self.speed = DEFAULT_SPEED
        self.busy: str | None = None
        self.picker_error: str | None = None
        self.refused_picks = 0
        self.followed: int | None = None
        self.followed_person: int | None = None
        self.story: tuple[Snapshot, Snapshot] | None = None
        self.notice: str | None = None

    def _new_model(self) -> DashboardModel:
        # The values as the build starts: a control changed while the town is built (the
        # page stays live) then shows as waiting for Reset instead of as applied.
        values = dict(self.values)
        model = self._build(scenario_file=self.file_name, **values)
        self.applied = values
        if self.ensemble is not None:
            self.ensemble.cancel()
        self.ensemble = (
            Ensemble(model.settings, self._towns)
            if self._towns and getattr(model, "baseline", None) is not None
            else None
        )
        self.story = None
        self.notice = None
        return model

    def control_state(self) -> tuple:
        """Everything the sidebar shows, so it is redrawn only when one of them changes."""
        return (
            self.file_name,
            self.playing,
            self.busy,
            self.speed,
            self.picker_error,
            self.refused_picks,
            tuple(self.values.items()),
            self.weeks_left() > 0,
        )

    @property
    def pending(self) -> bool:
        """Whether some control differs from the values the current run was built from."""
        return self.values != self.applied

    def set_value(self, name: str, value: Any) -> None:
        """Change one control; it takes effect at the next Reset.

        A slider reports its value back as a float a hair away from the one it was
        given (0.93 comes back as 0.9300000000000001); that is not a change.
        """
        old = self.values.get(name)
        if isinstance(value, float) and isinstance(old, int | float) and abs(value - old) < 1e-9:
            return
        self.values = self.values | {name: value}

    def reset(self) -> None:
        """Build a new run from the picked file and the controls' values."""
        self.playing = False
        with self.lock:
            self.model = self._new_model()
            self.follow(None)

    def pick(self, file_name: str) -> bool:
        """Load a scenario file into the controls and restart the town from it.

        Play stops first, so the old run is never stepped while the new one is built.

        Returns:
            Whether the file could be loaded; if not, ``picker_error`` says why and the
            controls and the run are left as they were.
        """
        self.playing = False
        try:
            values = controls.preset_values(file_name)
        except InputError as error:
            self.picker_error = str(error)
            self.refused_picks += 1
            return False
        self.picker_error = None
        self.file_name = file_name
        self.values = values
        self.reset()
        return True

    def restore_defaults(self) -> None:
        """Back to the baseline file with every control at its default, and restart."""
        self.speed = DEFAULT_SPEED
        self.pick(controls.DEFAULT_SCENARIO_FILE)

    def weeks_left(self) -> int:
        """Weeks until the run reaches the end of its horizon."""
        return max(self.model.total_weeks - self.model.week, 0)

    def advance(self, weeks: int) -> int:
        """Step the run up to ``weeks`` weeks, never past its horizon.

        Returns:
            The weeks actually simulated: 0 once the run has ended, which the narration
            then says (rather than calling it a quiet week).
        """
        with self.lock, self.model.lock:
            if not self.weeks_left():
                self.playing = False
                self.notice = "story_ended"
                return 0
            self.notice = None
            weeks = min(weeks, self.weeks_left())
            before = Snapshot.of(self.model)
            done = 0
            while done < weeks and not self.model.run_error:
                self.model.step()
                done += 1
            if not self.weeks_left() or self.model.run_error:
                self.playing = False
            self.story = (before, Snapshot.of(self.model))
            self._check_followed()
            return done

    def follow(self, seat: int | None) -> None:
        """Follow the youth in ``seat`` in the network view and the narration (None: stop)."""
        self.notice = None
        self.followed = seat
        self.followed_person = (
            None if seat is None else int(self.model.population.youths.person_id[seat])
        )

    def follow_someone(self) -> bool:
        """Follow someone who has just withdrawn (or is at risk); False if nobody is.

        If nobody is, the narration line says so, rather than the click doing nothing.
        """
        seat = someone_who_withdraws(self.model)
        self.follow(seat)
        if seat is None:
            self.notice = "nobody_to_follow"
        return seat is not None

    def _check_followed(self) -> None:
        # A seat is reused when its youth ages out; the story then ends.
        if self.followed is not None and (
            int(self.model.population.youths.person_id[self.followed]) != self.followed_person
        ):
            self.follow(None)

    def jump_weeks(self, years: int) -> int:
        """The weeks a jump of ``years`` would simulate from here."""
        return min(years * WEEKS_PER_YEAR, self.weeks_left())

    def toggle_play(self) -> None:
        """Start or stop playing; a finished run does not start."""
        self.playing = not self.playing and self.weeks_left() > 0 and not self.model.run_error
