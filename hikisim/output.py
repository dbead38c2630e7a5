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
            check_replaceable(staging, out)
            for item in staging.iterdir():
                os.replace(item, out / item.name)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _exists(path: Path) -> bool:
    """Whether a path exists; False where asking fails (a name too long, say)."""
    try:
        return path.exists()
    except OSError:
        return False


def check_replaceable(staging: Path, out: Path) -> None:
    """Check, before the first move, that every staged output can replace its namesake.

    A folder where an output file goes (or a file where an output folder goes) would
    stop the moves half way, leaving new outputs beside old ones; refusing first keeps
    every old output.

    Args:
        staging: The folder holding the new outputs.
        out: The output folder they move into.

    Raises:
        InputError: Naming the first output that cannot replace what is there.
    """
    for item in sorted(staging.iterdir()):
        target = out / item.name
        if target.is_dir() != item.is_dir() and (target.exists() or target.is_symlink()):
            what, kind = ("a folder", "file") if target.is_dir() else ("not a folder", "folder")
            raise InputError(
                f"{str(target)!r} is {what}, so the output {kind} {item.name} cannot "
                "replace it; move it away and run again",
                "--out",
            )


# The longest folder name: 255 bytes on Linux file systems, less the 10 that the
# staging folder beside it adds (a dot before, a dot and 8 characters after).
MAX_NAME_BYTES = 245


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
    # Only names still to be made matter: an existing folder's name was allowed there.
    too_long = [
        part
        for part in (path, *path.parents)
        if len(os.fsencode(part.name)) > MAX_NAME_BYTES and not _exists(part)
    ]
    if too_long:
        name = too_long[-1].name
        raise InputError(
            f"the name {name[:40]!r}... is {len(os.fsencode(name))} bytes long; "
            f"allowed: names of at most {MAX_NAME_BYTES} bytes",
            option,
        )
    if path.is_symlink() and not path.exists():
        raise InputError(
            f"{raw!r} is a symbolic link to nothing (or a loop); allowed: a folder, a link "
            "to one, or a new name",
            option,
        )
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
