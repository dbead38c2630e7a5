"""Writing a directory of results atomically, and labelling figures with where they came from."""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import zlib
from collections.abc import Iterator, Mapping
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


PNG_END = b"\x00\x00\x00\x00IEND"  # the length (0) and type of a PNG's last chunk


def add_png_text(path: Path, entries: Mapping[str, str]) -> None:
    """Add text entries to a PNG file, one ``iTXt`` chunk each, just before its end.

    Image viewers and readers such as Pillow (``Image.open(path).text``) show them; the
    pixels are untouched, and the same entries give the same bytes.

    Args:
        path: The PNG file, rewritten in place.
        entries: Keyword -> text. Keywords are 1-79 Latin-1 characters; the text is
            stored as UTF-8 (``iTXt`` rather than ``tEXt``, which allows only Latin-1).

    Raises:
        ValueError: If the file does not end with a PNG ``IEND`` chunk.
    """
    data = Path(path).read_bytes()
    end = len(data) - 12  # IEND: 4 bytes of length, 4 of type, 4 of CRC
    if data[end : end + 8] != PNG_END:
        raise ValueError(f"{path} does not end like a PNG file")
    chunks = b"".join(
        _png_chunk(b"iTXt", key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode())
        for key, text in entries.items()
    )
    Path(path).write_bytes(data[:end] + chunks + data[end:])


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body and the CRC of type and body."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
