"""What the page's buttons do: named actions on a session, long ones off the event loop.

One controller lives as long as its page. Its methods keep their identity between
renders, so the sidebar (which receives them) is redrawn only when its own state
changes, not every week: re-rendering two dozen sliders each week cost a Step about
30 ms.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import solara

from hikisim.dashboard.i18n import tr
from hikisim.dashboard.session import SPEEDS, Session


class Controller:
    """Turns clicks into session changes and redraws.

    Args:
        session: The class's session.
        version: Bumped after every change, so the views redraw.

    Attributes:
        session: The class's session.
        run_in_background: Runs a function on a worker thread; set by the page to a
            Solara task, so it carries the page's context.
        play_in_background: Starts :meth:`play_loop` on a worker thread; set likewise.
        watch_in_background: Starts :meth:`watch_towns` on a worker thread; set likewise.
        on_act: :meth:`act`, bound once, to hand to components.
        on_set_value: :meth:`set_value`, bound once.
        on_follow: :meth:`follow`, bound once.
    """

    def __init__(self, session: Session, version: solara.Reactive[int]) -> None:
        self.session = session
        self.version = version
        self.run_in_background: Callable[[Callable[[], Any]], Any] = lambda job: job()
        self.play_in_background: Callable[[], Any] = self.play_loop
        self.watch_in_background: Callable[[], Any] = lambda: None
        # Bound once: ``self.act`` makes a new method object at each access, and Solara
        # redraws a component whose arguments are not the very same objects as before.
        self.on_act: Callable[[str], None] = self.act
        self.on_set_value: Callable[[str, Any], None] = self.set_value
        self.on_follow: Callable[[int], None] = self.follow

    def refresh(self) -> None:
        """Redraw the page."""
        self.version.set(self.version.value + 1)

    def play_loop(self) -> None:
        """Step and redraw until paused; each frame is drawn before the next starts."""
        session = self.session
        while True:
            # Checked under the lock a Pause waits for, so that no week starts after the
            # page has said paused.
            with session.lock:
                if not session.playing:
                    break
                session.advance(SPEEDS[session.speed].weeks)
            self.refresh()
            time.sleep(SPEEDS[session.speed].pause)
        self.refresh()

    def background_job(self, job: Callable[[], Any]) -> None:
        """Run a long job (Reset, a jump, a pick); the busy indicator is already shown."""
        towns = self.session.ensemble
        try:
            job()
        finally:
            self.session.busy = None
            self.refresh()
        if self.session.ensemble is not None and self.session.ensemble is not towns:
            self.watch_in_background()

    def watch_towns(self) -> None:
        """Redraw as each background town finishes, so the average appears unprompted."""
        towns = self.session.ensemble
        shown = 0
        while towns is not None and towns is self.session.ensemble:
            if towns.done != shown:
                shown = towns.done
                self.refresh()
            if not towns.running and towns.done == shown:
                return
            time.sleep(0.5)

    def _start_job(self, message: str, job: Callable[[], Any]) -> None:
        self.session.playing = False
        self.session.busy = message
        self.refresh()
        self.run_in_background(job)

    def act(self, action: str) -> None:
        """Run a named action.

        Args:
            action: ``reset``, ``step``, ``play``, ``jump_<years>``, ``speed_<name>``,
                ``defaults``, ``follow``, ``unfollow`` or ``pick:<file name>``.
        """
        session = self.session
        if session.busy is not None and not action.startswith("speed_"):
            return  # one long job at a time; the buttons are disabled meanwhile
        if action.startswith("pick:"):
            name = action.removeprefix("pick:")
            self._start_job(tr("busy_reset"), lambda: session.pick(name))
        elif action == "reset":
            self._start_job(tr("busy_reset"), session.reset)
        elif action == "defaults":
            self._start_job(tr("busy_reset"), session.restore_defaults)
        elif action.startswith("jump_"):
            weeks = session.jump_weeks(int(action.removeprefix("jump_")))
            if weeks:
                self._start_job(tr("busy_jump", n=weeks), lambda: session.advance(weeks))
            else:  # the run has ended: no "Simulating 0 weeks…", the narration says so
                self._quick("step")
        elif action == "play":
            session.toggle_play()
            if not session.playing:
                # A week already being stepped finishes first (it holds the lock), so the
                # page says paused only with the week the run stopped at.
                with session.lock:
                    pass
            self.refresh()
            if session.playing:
                self.play_in_background()
        else:
            self._quick(action)

    def _quick(self, action: str) -> None:
        session = self.session
        if action == "step":
            session.advance(1)
        elif action.startswith("speed_"):
            session.speed = action.removeprefix("speed_")
        elif action == "follow":
            session.follow_someone()  # if nobody can be followed, the narration says so
        elif action == "unfollow":
            session.follow(None)
        self.refresh()

    def set_value(self, name: str, value: Any) -> None:
        """Change one control (it waits for Reset)."""
        self.session.set_value(name, value)
        self.refresh()

    def follow(self, seat: int) -> None:
        """Follow the youth in ``seat``."""
        self.session.follow(seat)
        self.refresh()
