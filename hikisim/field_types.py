"""Type checks that pydantic's lax mode leaves out, shared by every settings model.

:class:`SettingsModel` is the base of the scenario's sections and of the programmes'
parameters, which both apply :func:`reject_cross_typed` to every field.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

import numpy as np
from pydantic import BaseModel, ValidationInfo, field_validator

__all__ = ["SettingsModel", "reject_cross_typed"]


def reject_cross_typed(value: Any, annotation: Any) -> Any:
    """Refuse a boolean or text for a number and anything but a boolean for a switch.

    Pydantic's lax mode would read ``true`` as 1 for a number, ``"0.1"`` (quoted in a
    file) as 0.1, and ``"yes"`` or ``1`` as on for a switch, so a slip in a file would
    run a different scenario without a word (an override's value is parsed as TOML
    first, so ``--set population.youths=300`` is a number). Its strict mode would also
    refuse TOML's lists for tuples and numpy's integers from sweeps, so only these
    confusions are refused here.

    Args:
        value: The raw value.
        annotation: The field's type.

    Returns:
        The value, unchanged.

    Raises:
        ValueError: If the value is a boolean or text for an int or float field (or
            entry of a tuple of them), or not a boolean for a bool field.
    """
    is_switch = isinstance(value, bool | np.bool_)
    if annotation is bool and not is_switch:
        raise ValueError("must be true or false")
    if annotation in (int, float) and is_switch:
        raise ValueError("must be a number, not true or false")
    if annotation in (int, float) and isinstance(value, str):
        raise ValueError("must be a number, not text; write it without quotes")
    if get_origin(annotation) is tuple and isinstance(value, list | tuple):
        # A tuple of numbers, such as the family-size weights: each entry the same way.
        for item, item_type in zip(value, get_args(annotation), strict=False):
            if item_type in (int, float) and isinstance(item, bool | np.bool_):
                raise ValueError("must hold numbers, not true or false")
            if item_type in (int, float) and isinstance(item, str):
                raise ValueError("must hold numbers, not text; write them without quotes")
    return value


class SettingsModel(BaseModel):
    """A settings model whose every field refuses cross-typed values (see above)."""

    @field_validator("*", mode="before")
    @classmethod
    def _not_cross_typed(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        return reject_cross_typed(value, field.annotation if field is not None else None)
