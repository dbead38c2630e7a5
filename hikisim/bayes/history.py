"""History matching: rule out implausible parameter space, design the next wave in the rest.

A point's implausibility for target ``j`` is ``|z_j - E f_j(x)| / sqrt(s_j^2 + V_j(x))``:
the distance from the published value ``z_j`` to the emulated model mean, in units of
the target's scale ``s_j`` (:func:`~hikisim.bayes.problem.target_scale`) widened by the
emulator's own uncertainty ``V_j``. A point is ruled out when its ``k``-th largest
implausibility exceeds 3 (Pukelsheim's three-sigma rule, as in Andrianakis et al. 2015):
``k = 1`` asks every target to be met at once; where that keeps almost nothing (under
:data:`MIN_KEPT` of the candidates), ``k`` is raised (up to :data:`MAX_ORDER`), and the
targets that stay implausible everywhere are the ones that cannot be met together with
the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

CUTOFF = 3.0
MAX_ORDER = 3
DECIMALS = 12
"""Design points are rounded to this many decimals (as manifests store them)."""
MIN_KEPT = 0.001
"""A cut that keeps less than this share of the candidates is too tight: raise ``k``."""


def implausibility(
    means: np.ndarray, variances: np.ndarray, observed: np.ndarray, scales: np.ndarray
) -> np.ndarray:
    """Each point's implausibility for each target.

    Args:
        means: Emulated model means, shape (points, targets).
        variances: Their emulator variances, same shape.
        observed: Published values, shape (targets,).
        scales: Targets' standard deviations, shape (targets,).

    Returns:
        Implausibilities, shape (points, targets).
    """
    return np.abs(observed - means) / np.sqrt(scales**2 + variances)


@dataclass(frozen=True)
class WaveCut:
    """What one wave's emulators rule out.

    Attributes:
        order: ``k``: the cut is on the k-th largest implausibility.
        kept: Share of the candidate points kept (the non-implausible share of the
            space searched).
        candidates: The points searched, on the unit cube.
        keep: Which candidates are kept.
        score: Each candidate's k-th largest implausibility (the cut is ``score <= 3``).
        per_target: For each target, the share of candidates whose implausibility for it
            is above 3.
        minimum: For each target, its lowest implausibility over the candidates.
    """

    order: int
    kept: float
    candidates: np.ndarray
    keep: np.ndarray
    score: np.ndarray
    per_target: np.ndarray
    minimum: np.ndarray


def cut(candidates: np.ndarray, implausibilities: np.ndarray) -> WaveCut:
    """Rule out candidates by the k-th largest implausibility, with the smallest workable k.

    Args:
        candidates: Points on the unit cube, shape (points, parameters).
        implausibilities: Their implausibilities, shape (points, targets).

    Returns:
        The cut.
    """
    ordered = -np.sort(-implausibilities, axis=1)
    order = 1
    for order in range(1, min(MAX_ORDER, ordered.shape[1]) + 1):
        keep = ordered[:, order - 1] <= CUTOFF
        if keep.mean() >= MIN_KEPT:
            break
    return WaveCut(
        order=order,
        kept=float(keep.mean()),
        candidates=candidates,
        keep=keep,
        score=ordered[:, order - 1],
        per_target=(implausibilities > CUTOFF).mean(axis=0),
        minimum=implausibilities.min(axis=0),
    )


def space_filling(count: int, dims: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``count`` points on the unit cube (the first wave's design).

    Rounded to :data:`DECIMALS`, as stored in the wave's manifest, so a resumed run
    fits its emulators on exactly the points the first run used.
    """
    return np.round(qmc.LatinHypercube(d=dims, seed=seed).random(count), DECIMALS)


def candidates(count: int, dims: int, seed: int) -> np.ndarray:
    """Scrambled Sobol points on the unit cube, to search for non-implausible space."""
    power = int(np.ceil(np.log2(max(count, 2))))
    return qmc.Sobol(d=dims, scramble=True, seed=seed).random_base2(power)[:count]


def next_design(wave: WaveCut, count: int, seed: int) -> np.ndarray:
    """The next wave's design: ``count`` kept candidates, spread out.

    Candidates are taken greedily, each the kept candidate farthest from those taken
    (a maximin choice), so the wave covers the non-implausible space rather than
    clumping where it is dense. If fewer than ``count`` are kept, the least implausible
    of the others make up the number, so a wave is never empty.

    Args:
        wave: The last wave's cut.
        count: Points wanted.
        seed: Picks the first point.

    Returns:
        Points on the unit cube, shape (count, parameters), rounded to :data:`DECIMALS`.
    """
    pool = wave.candidates[wave.keep]
    if len(pool) <= count:
        nearest = np.argsort(wave.score, kind="stable")[:count]
        return np.round(wave.candidates[nearest], DECIMALS)
    rng = np.random.default_rng(seed)
    chosen = [int(rng.integers(len(pool)))]
    nearest = np.linalg.norm(pool - pool[chosen[0]], axis=1)
    for _ in range(count - 1):
        index = int(np.argmax(nearest))
        chosen.append(index)
        nearest = np.minimum(nearest, np.linalg.norm(pool - pool[index], axis=1))
    return np.round(pool[chosen], DECIMALS)
