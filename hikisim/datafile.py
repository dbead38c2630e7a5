"""Reading the package's TOML data files, with one-line errors that name the file."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from hikisim.errors import InputError


def read_data_file(path: Path, what: str) -> dict[str, Any]:
    """Parse a TOML data file.

    Args:
        path: The file.
        what: What the file holds, for the message (for example "drivers").

    Returns:
        The parsed tables.

    Raises:
        InputError: If the file cannot be read, is not UTF-8 text or is not valid TOML.
    """
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise InputError(f"cannot read the {what} file ({error.strerror})", str(path)) from error
    except UnicodeDecodeError as error:
        raise InputError(f"cannot read the {what} file (not UTF-8 text)", str(path)) from error
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML ({error})", str(path)) from error
