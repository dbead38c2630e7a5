"""Compiled passes for families' help-seeking and the medical exam that follows.

:meth:`hikisim.dynamics.Kernel.seek_help_and_treat` states the rules and calls these two
passes, with numpy's float32 logistic function between them (the chance of seeking help
is computed by numpy, whose float32 exponential the compiled code would not match bit
for bit). Everything else keeps the precision of the numpy code the passes replaced:
the logit is summed as numpy summed it (the first two terms in float32, the rest in
float64), and the draws and their rescaled parts are float32.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from hikisim.philox import uniforms_at

Counter = tuple[np.uint64, np.uint64, np.int64, np.int64]


class HelpColumns(NamedTuple):
    """The youth, family and modifier columns the passes read and update."""

    state: np.ndarray
    care: np.ndarray
    family: np.ndarray
    disorder: np.ndarray
    depressed: np.ndarray
    disorder_detected: np.ndarray
    episode_row: np.ndarray
    never_seeks: np.ndarray
    help_propensity: np.ndarray
    sought_help: np.ndarray
    help_logit: np.ndarray


@numba.njit(cache=True)
def willing_logits(
    symptomatic: np.ndarray,
    columns: tuple,
    help_base: float,
    withdrawn_weight: float,
    stigma: float,
    no_care: int,
    withdrawn: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The symptomatic not in care whose families may seek help, and their logits.

    The logit is the base, the family's propensity, the weight of withdrawal (not just
    risk), less the stigma, plus the programmes' change.

    Args:
        symptomatic: The youths at risk or withdrawn (ascending).
        columns: The columns read, in the order of :class:`HelpColumns` (a plain tuple,
            which numba types faster: see :func:`hikisim.kernels.plain_columns_of`).
        help_base: The base logit.
        withdrawn_weight: Added when the youth is withdrawn.
        stigma: Taken off every logit.
        no_care: The code of no care.
        withdrawn: The code of the WITHDRAWN state.

    Returns:
        The youths (ascending) and their logits (float64).
    """
    columns = HelpColumns(*columns)
    willing = np.empty(len(symptomatic), np.int64)
    logits = np.empty(len(symptomatic), np.float64)
    count = 0
    for seat in symptomatic:
        family = columns.family[seat]
        if columns.care[seat] != no_care or columns.never_seeks[family]:
            continue
        family_part = np.float32(help_base) + columns.help_propensity[family]
        willing[count] = seat
        logits[count] = (
            np.float64(family_part)
            + withdrawn_weight * (columns.state[seat] == withdrawn)
            - stigma
            + np.float64(columns.help_logit[seat])
        )
        count += 1
    return willing[:count].copy(), logits[:count].copy()


@numba.njit(cache=True)
def contacts_and_exams(
    willing: np.ndarray,
    chances: np.ndarray,
    columns: tuple,
    help_sought: np.ndarray,
    uptake_32: np.float32,
    uptake_scale_32: np.float32,
    sensitivity_32: np.float32,
    codes: tuple[int, int, int],
    counter: Counter,
) -> tuple[int, np.ndarray, np.ndarray]:
    """Who seeks help, who takes it up, and what the exam finds.

    A family seeks help if its youth's uniform is below the chance. Given that, the
    uniform over the chance is again uniform on [0, 1): below the uptake the youth
    takes up care, and that part rescaled decides whether the exam detects an illness
    (a disorder or a depression): detected, the care is clinical, else psychosocial.

    Args:
        willing: The youths whose families may seek help (ascending).
        chances: Their chances (float32).
        columns: The columns read, in the order of :class:`HelpColumns` (a plain
            tuple); ``sought_help`` and ``disorder_detected`` updated.
        help_sought: The episode log's help-sought flag; set for the withdrawn.
        uptake_32: The youths' uptake of care, as float32.
        uptake_scale_32: ``max(uptake, 1e-9)`` as float32.
        sensitivity_32: The exam's sensitivity, as float32.
        codes: The WITHDRAWN state and the CLINICAL and PSYCHOSOCIAL care codes.
        counter: The help stream's key words, week and draw.

    Returns:
        The number of families who sought help, the youths who start care
        (ascending), and each one's kind of care.
    """
    columns = HelpColumns(*columns)
    withdrawn, clinical, psychosocial = codes
    k0, k1, week, draw = counter
    seekers = np.empty(len(willing), np.int64)
    kinds = np.empty(len(willing), np.int8)
    contacted = 0
    count = 0
    # Every willing family draws: all the uniforms in one vectorized pass.
    draws = uniforms_at(k0, k1, week, draw, willing)
    for index in range(len(willing)):
        seat = willing[index]
        u = draws[index]
        if not u < chances[index]:
            continue
        contacted += 1
        contact_draw = np.float32(u / chances[index])
        columns.sought_help[columns.family[seat]] = True
        if columns.state[seat] == withdrawn:
            help_sought[columns.episode_row[seat]] = True
        if not contact_draw < uptake_32:
            continue
        exam_draw = np.float32(contact_draw / uptake_scale_32)
        ill = columns.disorder[seat] > 0 or columns.depressed[seat]
        detected = ill and exam_draw < sensitivity_32
        if detected:
            columns.disorder_detected[seat] = True
        seekers[count] = seat
        kinds[count] = clinical if detected else psychosocial
        count += 1
    return contacted, seekers[:count].copy(), kinds[:count].copy()
