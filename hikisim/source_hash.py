"""A hash of the model's source code, recorded with results to trace them to the code."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

__all__ = ["model_source_hash", "source_hash"]

# The page and its widgets change no result.
_NOT_MODEL = ("dashboard",)


def source_hash(package: Path) -> str:
    """A sha256 over a package's Python modules, its subpackages but the dashboard.

    Args:
        package: The package directory.

    Returns:
        The hex digest of each module's path (relative, POSIX) and bytes, in path order.
    """
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in _NOT_MODEL:
            continue
        digest.update(relative.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.cache
def model_source_hash() -> str:
    """:func:`source_hash` of hikisim, once per process (the code does not change under it).

    The package version does not change with every edit during development, so outputs
    record this too, to trace results to the exact model code; programmes count, being
    part of the model.
    """
    return source_hash(Path(__file__).resolve().parent)
