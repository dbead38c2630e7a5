"""Adaptive importance sampling of the emulated posterior (the sampler for many parameters).

The emulators give each target's model mean with its uncertainty, so the posterior under
the targets' normal error model has a likelihood that can be evaluated directly:
``prod_j N(z_j; m_j(x), s_j^2 + V_j(x))``. With 24 parameters, pyabc's ABC-SMC on the
same emulators collapsed its effective sample size to a handful of particles from the
first generation (docs/calibration.md), so for many parameters the posterior is sampled
by adaptive importance sampling instead:

1. a scrambled Sobol sample of the prior, weighted by the likelihood;
2. while the effective sample size is short of its goal, a multivariate Student-t
   proposal (4 degrees of freedom, the weighted sample's mean and 1.5 times its
   covariance, on the probit scale of the prior quantiles) adds a batch of draws, and
   every draw so far is reweighted by prior x likelihood over the mixture of the
   proposals used (deterministic-mixture weights, as in adaptive multiple importance
   sampling, Cornuet et al. 2012).

The draws that carry the weight (at most ``keep`` of them, the heaviest) are the
posterior, with their normalised weights. Everything is vectorised and seeded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import ndtr, ndtri

from hikisim.bayes.abc_smc import AbcResult, effective_sample_size
from hikisim.bayes.emulator import TargetEmulator, predict_shares
from hikisim.bayes.history import candidates

DEGREES_OF_FREEDOM = 4
SPREAD = 1.5
CHUNK = 8192


@dataclass(frozen=True)
class ImportanceSettings:
    """How hard the sampler works.

    Attributes:
        first: Prior draws of the first stage.
        batch: Draws per adaptive stage.
        stages: Most adaptive stages.
        goal: Effective sample size to reach.
        keep: Most draws kept in the posterior (the heaviest).
    """

    first: int = 65_536
    batch: int = 32_768
    stages: int = 8
    goal: float = 2000.0
    keep: int = 4000


def log_likelihood(
    emulators: dict[str, TargetEmulator],
    unit: np.ndarray,
    observed: np.ndarray,
    scales: np.ndarray,
) -> np.ndarray:
    """The emulated log-likelihood of points of the unit cube, in chunks.

    Args:
        emulators: Target name -> emulator, in target order.
        unit: Points, shape (points, parameters).
        observed: Published values.
        scales: Targets' standard deviations.

    Returns:
        Log-likelihoods, shape (points,).
    """
    values = np.empty(len(unit))
    for start in range(0, len(unit), CHUNK):
        means, variances = predict_shares(emulators, unit[start : start + CHUNK])
        total = scales**2 + variances
        values[start : start + CHUNK] = -0.5 * np.sum(
            np.square(observed - means) / total + np.log(2 * np.pi * total), axis=1
        )
    return values


def sample_posterior(
    emulators: dict[str, TargetEmulator],
    dims: int,
    observed: np.ndarray,
    scales: np.ndarray,
    seed: int,
    settings: ImportanceSettings | None = None,
) -> AbcResult:
    """Sample the emulated posterior by adaptive importance sampling.

    Args:
        emulators: Target name -> emulator, in target order.
        dims: Number of parameters.
        observed: Published values.
        scales: Targets' standard deviations.
        seed: Seeds the Sobol scramble and the proposals.
        settings: How hard to work.

    Returns:
        The posterior draws (on the unit cube) with their weights; ``generations`` holds
        one row per stage (draws so far and effective sample size).
    """
    settings = settings or ImportanceSettings()
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x4953]))
    unit = np.clip(candidates(settings.first, dims, seed + 17), 1e-9, 1 - 1e-9)
    probit = ndtri(unit)
    log_like = log_likelihood(emulators, unit, observed, scales)
    log_prior = stats.norm.logpdf(probit).sum(axis=1)
    # Each draw's proposal density under every stage: the prior first.
    proposals: list[tuple[int, Any]] = [(len(unit), None)]
    log_q = [log_prior.copy()]
    weights = _normalised(log_like)
    stages = [{"stage": 0, "draws": len(unit), "ess": effective_sample_size(weights)}]
    for stage in range(1, settings.stages + 1):
        if stages[-1]["ess"] >= settings.goal:
            break
        mean = weights @ probit
        centred = probit - mean
        covariance = SPREAD * (centred * weights[:, None]).T @ centred + 1e-8 * np.eye(dims)
        proposal = stats.multivariate_t(mean, covariance, df=DEGREES_OF_FREEDOM, seed=rng)
        new = np.atleast_2d(proposal.rvs(size=settings.batch))
        new_unit = np.clip(ndtr(new), 1e-12, 1 - 1e-12)
        # Every draw's density under the new proposal, and the new draws' under the old
        # ones (the first "proposal" is the prior itself).
        new_log_prior = stats.norm.logpdf(new).sum(axis=1)
        log_q_new_all = proposal.logpdf(np.vstack([probit, new]))
        log_q = [
            np.concatenate([q, new_log_prior if previous is None else previous.logpdf(new)])
            for q, (_, previous) in zip(log_q, proposals, strict=True)
        ]
        log_q.append(log_q_new_all)
        proposals.append((settings.batch, proposal))
        probit = np.vstack([probit, new])
        unit = np.vstack([unit, new_unit])
        log_prior = np.concatenate([log_prior, new_log_prior])
        log_like = np.concatenate([log_like, log_likelihood(emulators, new_unit, observed, scales)])
        counts = np.array([count for count, _ in proposals], dtype=float)
        mixture = np.logaddexp.reduce(
            np.vstack(log_q) + np.log(counts / counts.sum())[:, None], axis=0
        )
        weights = _normalised(log_prior + log_like - mixture)
        stages.append({"stage": stage, "draws": len(unit), "ess": effective_sample_size(weights)})
    order = np.argsort(-weights, kind="stable")[: settings.keep]
    kept = weights[order] / weights[order].sum()
    return AbcResult(
        unit=unit[order],
        weights=kept,
        generations=pd.DataFrame(stages),
        reached_exact=True,
    )


def _normalised(log_weights: np.ndarray) -> np.ndarray:
    shifted = np.exp(log_weights - np.max(log_weights))
    return shifted / shifted.sum()
