"""The rule every run seed obeys, shared by the command line and the Python API.

A seed is a whole number from 0 to 2**63-1: the range of ``run.seed`` in a scenario file
and of ``--seed``, and the range the multi-run commands wrap their derived seeds into.
It lives in a module of its own, which imports only :mod:`hikisim.errors`, so that the
CLI and the model can both use it without an import cycle.
"""

from __future__ import annotations

import numbers

from hikisim.errors import InputError

MAX_SEED = 2**63 - 1
SEED_SPAN = MAX_SEED + 1
"""How many seeds there are: derived seeds are wrapped into range modulo this."""


def wrapped_seed(value: int) -> int:
    """A derived seed (a base seed plus an offset, say) wrapped into 0 to 2**63-1.

    Args:
        value: Any whole number.

    Returns:
        ``value`` modulo :data:`SEED_SPAN`.
    """
    return value % SEED_SPAN


def checked_seed(seed: object, source: str = "seed") -> int:
    """The seed as a plain int, if it is a whole number from 0 to 2**63-1.

    Python and numpy integers pass (``np.int64(7)`` gives ``7``). Anything else is
    refused rather than converted: ``int(1.7)`` would run seed 1 and ``int(True)`` seed 1
    under another name, and a seed above the range would run here yet be refused by
    ``run.seed`` and ``--seed`` when the recorded run is repeated.

    Args:
        seed: The seed to check.
        source: Where it came from (``--seed``, ``seed``), named in the error.

    Returns:
        The seed, as an int.

    Raises:
        InputError: If the seed is not an integer (bools included) or out of range.
    """
    # bool is an Integral subclass in Python; numpy integers register as Integral.
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InputError(
            f"must be an integer from 0 to {MAX_SEED} (2**63-1), got {seed!r} "
            f"({type(seed).__name__})",
            source,
        )
    value = int(seed)
    if not 0 <= value <= MAX_SEED:
        raise InputError(f"must be 0 to {MAX_SEED} (2**63-1), got {value}", source)
    return value
