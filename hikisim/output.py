"""Writing a directory of results atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
