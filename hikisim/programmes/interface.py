"""The narrow interface through which programmes see and change a running model.

Programmes never import the kernel, the model or the metrics. Each week the model hands
every programme a :class:`ProgrammeHost`, whose ``kernel_interface`` offers exactly what
a programme may do:

- read the youths', families' and schools' columns (read-only views);
- change this week's hazards (:class:`HazardModifiers`);
- enrol youths in care, re-route them, and record what an exam found;
- note a programme in a youth's open episode, for the episode log;
- record that families took a parenting course, and that a school runs a programme.

These are structural types (:class:`typing.Protocol`): the kernel side implements them
without importing this package, so the import graph stays one way.
"""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np

LogitHazard = Literal["onset", "progress", "resolve", "help"]
"""Hazards a programme changes by adding to their logit."""

ScaledHazard = Literal["exit", "reentry", "dropout"]
"""Hazards a programme changes by multiplying them (``dropout`` is dropout from care)."""


class YouthColumns(Protocol):
    """Read-only columns of the youths that programmes may read, one entry per seat."""

    person_id: np.ndarray
    age_weeks: np.ndarray
    family: np.ndarray
    school: np.ndarray
    disorder: np.ndarray
    disorder_detected: np.ndarray
    internet_intensity: np.ndarray
    state: np.ndarray
    track: np.ndarray
    care: np.ndarray

    def __len__(self) -> int: ...


class FamilyColumns(Protocol):
    """Read-only columns of the families that programmes may read."""

    sought_help: np.ndarray
    took_course: np.ndarray

    def __len__(self) -> int: ...


class SchoolColumns(Protocol):
    """Read-only columns of the schools that programmes may read (only their number)."""

    def __len__(self) -> int: ...


class HazardModifiers(Protocol):
    """This week's per-youth changes to the kernel's hazards (neutral every week anew)."""

    def add_logit(self, hazard: LogitHazard, seats: np.ndarray, change: float | np.ndarray) -> None:
        """Add ``change`` (one value, or one per seat) to the logit of ``hazard`` at ``seats``."""
        ...

    def multiply(self, hazard: ScaledHazard, seats: np.ndarray, factor: float | np.ndarray) -> None:
        """Multiply ``hazard`` by ``factor`` (one value, or one per seat) at ``seats``."""
        ...


class KernelInterface(Protocol):
    """Everything a programme may read or change in the model."""

    @property
    def week(self) -> int:
        """Weeks simulated so far, burn-in included."""
        ...

    @property
    def horizon_week(self) -> int:
        """The week counted from the start of the horizon (negative in burn-in)."""
        ...

    @property
    def delivering(self) -> bool:
        """Whether programmes take new participants this week.

        True in the horizon's first ``run.delivery_years``; after them programmes enrol
        nobody, those already in one finish it, and the effects left fade as usual.
        """
        ...

    @property
    def youths(self) -> YouthColumns:
        """Read-only youth columns."""
        ...

    @property
    def families(self) -> FamilyColumns:
        """Read-only family columns."""
        ...

    @property
    def schools(self) -> SchoolColumns:
        """Read-only school columns."""
        ...

    @property
    def modifiers(self) -> HazardModifiers:
        """This week's hazard modifiers."""
        ...

    def current_cases(self) -> np.ndarray:
        """Seats of the current hikikomori cases, as the summary counts them."""
        ...

    def start_care(self, seats: np.ndarray, kind: int) -> None:
        """Enrol youths in care of a :class:`~hikisim.states.Care` kind, noted in their episode."""
        ...

    def route_care(self, seats: np.ndarray, kinds: np.ndarray) -> None:
        """Move youths already in care to another kind of care (their episode keeps the first)."""
        ...

    def record_diagnosis(self, seats: np.ndarray) -> None:
        """Record that an exam found the disorder of the youths at ``seats``."""
        ...

    def mark_programme(self, seats: np.ndarray, bit: int) -> None:
        """Set a programme's bit in the open episode of each withdrawn youth at ``seats``."""
        ...

    def record_course_taken(self, families: np.ndarray) -> None:
        """Record that families completed a parenting course."""
        ...

    def make_willing_to_seek_help(self, families: np.ndarray) -> None:
        """Families that would never have sought help become willing to."""
        ...

    def set_ei_training_schools(self, covered: np.ndarray) -> None:
        """Record which schools run emotional-intelligence training (a mask per school)."""
        ...


class ProgrammeHost(Protocol):
    """What a programme is handed: a model that offers the kernel interface."""

    @property
    def kernel_interface(self) -> KernelInterface:
        """The interface to the model's kernel."""
        ...
