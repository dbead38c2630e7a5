"""Output-folder locks: one command at a time writes into a folder.

The lock is an advisory ``flock`` on ``DIR/.hikisim.lock``, which also records who
holds it (process id, host, command, start time) so that a refused command can name
the holder. The kernel drops the lock when its process dies, however it dies, so a
lock left by a killed process is simply taken over by the next command. Worker
processes never inherit the lock: the file is opened close-on-exec, and local workers
come from a fork server that does not share the driver's files.

Locks are re-entrant within a process, so the ``sensitivity`` command can hold the lock
while the sweep it runs takes it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hikisim.errors import InputError

LOCK_NAME = ".hikisim.lock"

_held: dict[Path, list[int]] = {}  # resolved folder -> [file descriptor, depth]
_guard = threading.Lock()


def holder_description(info: dict[str, Any]) -> str:
    """A readable ``process 123 on host (command, since time)`` from a lock record."""
    if not info:
        return "another process"
    text = f"process {info.get('pid', '?')} on {info.get('host', '?')}"
    details = [part for part in (info.get("command"), info.get("since")) if part]
    return f"{text} ({', since '.join(details)})" if details else text


def _read_record(descriptor: int) -> dict[str, Any]:
    try:
        os.lseek(descriptor, 0, os.SEEK_SET)
        text = os.read(descriptor, 65536).decode("utf-8", errors="replace")
        record = json.loads(text) if text.strip() else {}
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(descriptor)
    return (held.st_dev, held.st_ino) == (on_disk.st_dev, on_disk.st_ino)


def _open_locked(folder: Path) -> tuple[int, dict[str, Any]]:
    path = folder / LOCK_NAME
    while True:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = holder_description(_read_record(descriptor))
            os.close(descriptor)
            raise InputError(
                f"is in use by {holder}; wait for it to finish or stop it, or choose another --out",
                str(folder),
            ) from None
        # The previous holder removes the file as it lets go; if it did so between our
        # open and our lock, we hold a lock on a file nobody else will see. Try again.
        if _same_file(descriptor, path):
            return descriptor, _read_record(descriptor)
        os.close(descriptor)


def _write_record(descriptor: int, command: str) -> None:
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": command,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    os.ftruncate(descriptor, 0)
    os.lseek(descriptor, 0, os.SEEK_SET)
    os.write(descriptor, (json.dumps(record) + "\n").encode())
    os.fsync(descriptor)


@contextmanager
def output_lock(folder: str | os.PathLike[str], command: str | None = None) -> Iterator[Path]:
    """Hold the lock on an output folder, creating the folder if needed.

    If this call created the folder and the block fails leaving it empty, the folder is
    removed again, so refused or failed commands leave nothing behind.

    Args:
        folder: The output folder.
        command: What to record as the holder's command (default: this command line).

    Yields:
        The folder.

    Raises:
        InputError: If another process holds the lock; the message names it.
    """
    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    key = folder.resolve()
    with _guard:
        entry = _held.get(key)
        if entry is not None:
            entry[1] += 1
    if entry is not None:
        try:
            yield folder
        finally:
            with _guard:
                entry[1] -= 1
        return
    try:
        descriptor, previous = _open_locked(folder)
    except BaseException:
        _remove_if_empty(folder, created)
        raise
    if previous.get("pid") not in (None, os.getpid()):
        print(
            f"note: taking over {folder} from {holder_description(previous)}, "
            "which is no longer running",
            file=sys.stderr,
        )
    _write_record(descriptor, command or " ".join(["hikisim", *sys.argv[1:]]))
    with _guard:
        _held[key] = [descriptor, 1]
    try:
        yield folder
    finally:
        with _guard:
            del _held[key]
        # Remove the file while still holding the lock; see _open_locked for why.
        (folder / LOCK_NAME).unlink(missing_ok=True)
        os.close(descriptor)
        _remove_if_empty(folder, created)


def _remove_if_empty(folder: Path, created: bool) -> None:
    if created:
        with contextlib.suppress(OSError):  # not empty: it holds results
            folder.rmdir()
