"""Reading data files (TOML inputs, JSON records of earlier runs), with one-line errors."""

from __future__ import annotations

import json
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


def read_json_object(path: Path, what: str) -> dict[str, Any]:
    """Read a JSON record that hikisim wrote into an output folder (a plan, a manifest).

    Such a file may have been damaged or replaced by hand since; then the folder cannot
    be resumed, which is said in one line instead of a traceback.

    Args:
        path: The file.
        what: What the file records, for the message (for example "PSA plan").

    Returns:
        The JSON object.

    Raises:
        InputError: If the file cannot be read, is not UTF-8 JSON, or is not an object.
    """
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(f"cannot read the {what} ({reason})", str(path)) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        value = None
    if not isinstance(value, dict):
        raise InputError(
            f"is not the {what} hikisim wrote (not a JSON object); delete the folder or "
            "use a new --out folder",
            str(path),
        )
    return value
