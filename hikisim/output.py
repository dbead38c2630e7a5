"""Writing a directory of results atomically, and labelling figures with where they came from."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hikisim.errors import InputError


@contextmanager
def atomic_directory(out: Path) -> Iterator[Path]:
    """Yield a staging directory whose files are moved into ``out`` only on success.

    The staging directory sits next to ``out`` (same file system), so the final move is
    a rename. If the block raises, nothing is left behind.

    Args:
        out: The final output directory; created if missing.

    Yields:
        The staging directory to write into.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield staging
        if out.exists():
            for item in staging.iterdir():
                os.replace(item, out / item.name)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_output_folder(text: str | os.PathLike[str], option: str = "--out") -> Path:
    """Check an output folder before any work starts, so bad paths fail at once.

    The folder may exist (as a folder) or not; if not, its nearest existing ancestor
    must be a folder this process can write into.

    Args:
        text: The path as given.
        option: The option it came from, for the message.

    Returns:
        The path.

    Raises:
        InputError: For an empty path, an existing non-folder, or an unwritable place.
    """
    raw = os.fspath(text)
    if not raw.strip():
        raise InputError("must name a folder, got an empty string", option)
    path = Path(raw)
    if path.exists() and not path.is_dir():
        raise InputError(f"{raw!r} exists and is not a directory", option)
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{str(existing)!r} is not a directory, so {raw!r} cannot be made", option)
    # Try rather than ask: os.access says yes to root on folders such as /sys, and the
    # answer on network file systems is only a guess.
    try:
        probe = tempfile.mkdtemp(prefix=".hikisim-probe-", dir=existing)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(
            f"cannot write into {str(existing)!r} ({reason.lower()})", option
        ) from None
    os.rmdir(probe)
    return path
