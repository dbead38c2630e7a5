"""ABC-SMC on the emulators, with pyabc's exact stochastic acceptor.

The sampler (pyabc's ``ABCSMC``) proposes parameters as probits of the priors'
quantiles (a standard normal prior on each, so the proposal prior *is* the prior and no
proposal falls outside the support). For each particle the
"simulator" draws the model's mean from the emulators, with their uncertainty, and the
stochastic acceptor (Schälte and Hasenauer's exact ABC) accepts it with the likelihood
of an independent normal kernel whose variances are the targets' scales squared. Its
temperature schedule plays the part of a tolerance schedule; at temperature 1 the
population is a sample from the posterior under that error model (Wilkinson 2013), not
an approximation with a tolerance left over.

The model runs happen earlier, in the history-matching waves; this stage runs only the
emulators, so it takes minutes, is seeded, and is simply run again if interrupted.
"""

from __future__ import annotations

import logging
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

from hikisim.bayes.emulator import TargetEmulator, mean_share

LOGGERS = (
    "ABC",
    "ABC.Sampler",
    "ABC.Epsilon",
    "ABC.Acceptor",
    "ABC.History",
    "ABC.Distance",
    "ABC.Population",
    "ABC.Transition",
    "ABC.Predictor",
)


@dataclass(frozen=True)
class AbcResult:
    """The final population and the run's schedule.

    Attributes:
        unit: The particles on the unit cube, shape (particles, parameters).
        weights: Their normalised importance weights.
        generations: One row per generation: ``generation``, ``temperature``,
            ``samples``, ``accepted``, ``acceptance`` and ``ess``.
        reached_exact: Whether the last temperature is 1 (an exact posterior sample).
    """

    unit: np.ndarray
    weights: np.ndarray
    generations: pd.DataFrame
    reached_exact: bool


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size, ``(sum w)^2 / sum w^2``."""
    weights = np.asarray(weights, dtype=float)
    return float(weights.sum() ** 2 / np.square(weights).sum())


def emulator_simulator(
    emulators: dict[str, TargetEmulator], dims: int, rng: np.random.Generator
) -> Callable[[dict[str, float]], dict[str, np.ndarray]]:
    """A pyabc model: one draw of the model's mean share at a particle, from the emulators.

    The mean logit is drawn from each emulator's uncertainty, then carried to the mean
    share over seed noise (:func:`~hikisim.bayes.emulator.mean_share`).

    Args:
        emulators: Target name -> emulator, in target order.
        dims: Number of parameters.
        rng: Draws the emulators' uncertainty.

    Returns:
        A function of the particle's ``x00``, ``x01``, ... returning ``{"y": shares}``.
    """
    names = parameter_names(dims)

    def simulate(particle: dict[str, float]) -> dict[str, np.ndarray]:
        point = to_unit(np.array([particle[name] for name in names]))
        shares = []
        for emulator in emulators.values():
            mean, variance = emulator.predict_one(point)
            logit_mean = mean + math.sqrt(variance) * rng.standard_normal()
            shares.append(float(mean_share(np.array(logit_mean), emulator.noise)))
        return {"y": np.array(shares)}

    return simulate


def to_unit(normal: np.ndarray) -> np.ndarray:
    """Sampler coordinates (standard normal) to the unit cube (prior quantiles).

    The sampler works on probits of the prior quantiles, whose prior is a standard
    normal: its perturbation kernel can then never propose a point outside the support,
    which in 24 dimensions would waste almost every proposal at the cube's faces.
    """
    return ndtr(normal)


def parameter_names(dims: int) -> list[str]:
    """Pyabc's names of the unit-cube coordinates (it dislikes dots in names)."""
    return [f"x{index:02d}" for index in range(dims)]


def run_abc(
    simulator: Callable[[dict[str, float]], dict[str, np.ndarray]],
    dims: int,
    observed: np.ndarray,
    scales: np.ndarray,
    population: int,
    generations: int,
    seed: int,
) -> AbcResult:
    """Run pyabc's ABC-SMC with the stochastic acceptor, on one core, seeded.

    Args:
        simulator: Particle -> ``{"y": shares}`` (see :func:`emulator_simulator`).
        dims: Number of parameters.
        observed: The published values.
        scales: The targets' standard deviations.
        population: Particles per generation.
        generations: Most generations to run; the run stops earlier at temperature 1.
        seed: Seeds numpy's global generator, which pyabc draws its proposals from.

    Returns:
        The last population and the schedule.
    """
    import pyabc

    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # One line per generation on stderr (its temperature and acceptance): the progress.
    logging.getLogger("ABC").setLevel(logging.INFO)
    saved = np.random.get_state()
    np.random.seed(seed % 2**32)  # pyabc samples through numpy's legacy global state
    prior = pyabc.Distribution(
        **{name: pyabc.RV("norm", 0.0, 1.0) for name in parameter_names(dims)}
    )
    abc = pyabc.ABCSMC(
        simulator,
        prior,
        pyabc.IndependentNormalKernel(var=np.square(scales)),
        population_size=population,
        eps=pyabc.Temperature(),
        # Normalise by the kernel's own maximum (a perfect match), not the largest
        # density seen so far: with sixteen targets new maxima keep turning up in early
        # generations, and each one's excess goes into an importance weight, which
        # collapses the effective sample size to a handful of particles.
        acceptor=pyabc.StochasticAcceptor(pdf_norm_method=pyabc.acceptor.pdf_norm_from_kernel),
        sampler=pyabc.sampler.SingleCoreSampler(),
    )
    with tempfile.TemporaryDirectory() as folder:
        database = "sqlite:///" + str(Path(folder) / "abc.db")
        abc.new(database, {"y": np.asarray(observed, dtype=float)})
        history = abc.run(max_nr_populations=generations)
        frame, weights = history.get_distribution(m=0, t=history.max_t)
        table = history.get_all_populations()
        rows = []
        for _, row in table[table["t"] >= 0].iterrows():
            _, generation_weights = history.get_distribution(m=0, t=int(row["t"]))
            rows.append(
                {
                    "generation": int(row["t"]) + 1,
                    "temperature": float(row["epsilon"]),
                    "samples": int(row["samples"]),
                    "accepted": int(row["particles"]),
                    "acceptance": float(row["particles"]) / float(row["samples"]),
                    "ess": effective_sample_size(generation_weights),
                }
            )
    np.random.set_state(saved)
    schedule = pd.DataFrame(rows)
    unit = to_unit(frame[parameter_names(dims)].to_numpy(dtype=float))
    weights = np.asarray(weights, dtype=float)
    return AbcResult(
        unit=unit,
        weights=weights / weights.sum(),
        generations=schedule,
        reached_exact=bool(np.isclose(schedule["temperature"].iloc[-1], 1.0)),
    )
