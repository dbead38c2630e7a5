"""One-line reports of the usage errors the command-line library finds itself.

Click reports an option that is not an integer, out of its range, missing or unknown in
four lines (usage, hint, blank line, error); the project's rule for bad input is one
line naming the option, what is wrong and what is allowed, which
:func:`usage_error_line` writes instead.
"""

from __future__ import annotations

import errno
import re
from typing import Any

try:  # typer 0.2x carries its own copy of click, whose errors it raises
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer, on click itself
    from click import exceptions as click_errors  # type: ignore[no-redef]

__all__ = ["PATH_ERRNOS", "click_errors", "os_error_line", "usage_error_line"]

# Errors that say a path the user gave, or a file in a folder they gave, is in the way:
# bad input (exit 2). Other operating-system errors (a full disk, say) exit 1.
PATH_ERRNOS = frozenset(
    {
        errno.EEXIST,
        errno.EISDIR,
        errno.ENOTDIR,
        errno.ENAMETOOLONG,
        errno.ELOOP,
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOENT,
    }
)


def os_error_line(error: OSError) -> str:
    """An operating-system error as one line: the file first, then the reason.

    Args:
        error: The error.

    Returns:
        For example ``o/.hikisim.lock: is a directory`` (without the "hikisim: error:"
        prefix).
    """
    reason = (error.strerror or type(error).__name__).lower()
    if error.filename:
        return f"{error.filename}: {reason}"
    return f"{reason} ({error})"


# What an option allows where its type does not say it all: click parses --seed as an
# integer, and the command checks the range after it.
ALLOWED = {"--seed": "an integer from 0 to 2**63-1"}


def _param_name(param: Any) -> str:
    """How the user writes a parameter: its longest option, or an argument's metavar."""
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.metavar or param.name.upper())
    return max(param.opts, key=len)


def _find_option(command: Any, name: str) -> Any:
    """The option of ``command`` (or, for a group, of any of its commands) called ``name``."""
    for param in getattr(command, "params", []):
        if name in (*getattr(param, "opts", ()), *getattr(param, "secondary_opts", ())):
            return param
    for sub in getattr(command, "commands", {}).values():
        if (found := _find_option(sub, name)) is not None:
            return found
    return None


def _clause(text: str) -> str:
    """A message of the library as a clause: no final full stop, a lower-case start."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


def _allowed(param: Any) -> str:
    """What a parameter allows, in words: from ALLOWED, its type and range, or its help."""
    name = _param_name(param)
    if name in ALLOWED:
        return ALLOWED[name]
    if getattr(param, "is_flag", False):
        return f"{' or '.join([*param.opts, *param.secondary_opts])}, with no value"
    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kind = {int: "an integer", float: "a number"}.get(annotation)
    if kind is not None:
        low, high = getattr(param, "min", None), getattr(param, "max", None)
        if low is not None and high is not None:
            return f"{kind} from {low} to {high}"
        if low is not None:
            return f"{kind} of at least {low}"
        if high is not None:
            return f"{kind} of at most {high}"
        return kind
    text = _clause(getattr(param, "help", None) or "")
    return text or "see --help"


# Pydantic error types (typer 0.2x validates options with pydantic) -> what the value is not.
NOT_A = {
    "int_parsing": "is not an integer",
    "int_from_float": "is not an integer",
    "float_parsing": "is not a number",
    "bool_parsing": "is not true or false",
}
OUT_OF_RANGE = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}


def _bad_value(error: Any) -> str:
    """Why a value was refused, from the pydantic error behind it where there is one."""
    details = getattr(error.__cause__, "errors", None)
    if not callable(details):
        return _clause(str(error.message))
    first = details()[0]
    value, kind = first.get("input"), first.get("type", "")
    if kind in OUT_OF_RANGE:
        return f"{value} is out of range"
    return f"{value!r} {NOT_A.get(kind, 'is not allowed')}"


def _option_usage(error: Any, root: Any) -> str:
    """An option used wrongly, such as one missing its value: the option's own words."""
    # The parser raises these without a context, so the option is looked up by name
    # across the app's commands.
    param = _find_option(root, error.option_name)
    text = str(error.message)
    if "requires" in text:
        reason = "needs a value"
    elif "does not take a value" in text:
        reason = "takes no value"
    else:
        reason = text.strip().rstrip(".")
    allowed = _allowed(param) if param is not None else "see --help"
    return f"{error.option_name}: {reason}; allowed: {allowed}"


def usage_error_line(error: Any, root: Any) -> str:
    """One line for a usage error of the command-line library: where, what and what is allowed.

    Args:
        error: A click ``UsageError`` (typer's copy of click, or click itself).
        root: The click command of the whole app, where options are looked up by name.

    Returns:
        The line, without the ``hikisim: error:`` prefix.
    """
    ctx = error.ctx
    if isinstance(error, click_errors.MissingParameter) and error.param is not None:
        return f"{_param_name(error.param)}: required, not given; allowed: {_allowed(error.param)}"
    if isinstance(error, click_errors.BadParameter) and error.param is not None:
        return f"{_param_name(error.param)}: {_bad_value(error)}; allowed: {_allowed(error.param)}"
    if isinstance(error, click_errors.NoSuchOption):
        guess = " or ".join(sorted(error.possibilities or []))
        params = ctx.command.get_params(ctx) if ctx is not None else []
        options = [o for p in params for o in (*p.opts, *p.secondary_opts) if o.startswith("-")]
        hint = f" (did you mean {guess}?)" if guess else ""
        return f"{error.option_name}: no such option{hint}; allowed: {', '.join(options)}"
    if isinstance(error, click_errors.BadOptionUsage):
        return _option_usage(error, root)
    # "No such command 'rn'. Did you mean 'run'?" -> "no such command 'rn' (did you mean 'run'?)"
    reason = re.sub(r"\. Did you mean (.+)\?$", r" (did you mean \1?)", _clause(str(error.message)))
    if ctx is None:
        return reason
    if hasattr(ctx.command, "list_commands"):
        return f"{reason}; allowed: one of {', '.join(ctx.command.list_commands(ctx))}"
    usage = " ".join([ctx.command_path, *ctx.command.collect_usage_pieces(ctx)])
    return f"{reason}; allowed: {usage}"
