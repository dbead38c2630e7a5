"""Stopping on SIGINT and SIGTERM: one exception, raised where it is safe.

The command line installs :func:`install`; from then on SIGINT and SIGTERM raise
:class:`StopRequestedError` in the main thread, and every ``with`` block unwinds, which
stops workers and removes half-written files. A few steps must not be cut in half
(starting a worker process, whose start-up data would otherwise vanish under it), so
they run inside :func:`deferred_stop`, which holds the request until they finish.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

_deferred_depth = 0
_pending: int | None = None


class StopRequestedError(BaseException):
    """SIGINT or SIGTERM arrived. A BaseException, so no ``except Exception`` swallows it.

    Attributes:
        signum: The signal number.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def request_stop(signum: int, frame: FrameType | None) -> None:
    """Signal handler: raise :class:`StopRequestedError`, or hold it while deferred."""
    global _pending
    if _deferred_depth:
        _pending = signum
        return
    _raise(signum)


def _raise(signum: int) -> None:
    # Ignore repeats while shutting down, so a second Ctrl-C cannot cut the clean-up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise StopRequestedError(signum)


@contextmanager
def deferred_stop() -> Iterator[None]:
    """Hold a stop request until the block finishes, then raise it."""
    global _deferred_depth, _pending
    _deferred_depth += 1
    try:
        yield
    finally:
        _deferred_depth -= 1
        if not _deferred_depth and _pending is not None:
            signum, _pending = _pending, None
            _raise(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise :class:`StopRequestedError` in the main thread."""
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
