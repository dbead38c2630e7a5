"""Gaussian-process emulators of the targets, one per target, on the logit scale.

Each emulator is a linear trend in the unit-cube inputs plus a scikit-learn Gaussian
process on its residuals (an anisotropic squared-exponential kernel with a white-noise
term). The white-noise term takes up the model's seed noise, since every design point
is one run on its own seed; the variance the emulator reports for a prediction is that of
the model's *mean* at the point (the process variance less the fitted noise), which is
what a target is compared with.

A Gaussian process fitted by maximum likelihood tends to be overconfident on a model
like this one (its response is not stationary over the prior), so each emulator's
variance is inflated by a factor set by cross-validation: the runs are split into folds,
each fold is predicted by the emulator refitted on the others (same hyperparameters), and
the factor is the smallest one >= 1 that brings the mean squared standardized error to 1.
Random folds flatter an emulator (a run's same-wave neighbours stay in training), so the
factor is also set on the latest wave predicted from the earlier waves alone, and the
larger of the two is used. The held-out check of the next wave then tests the inflated
emulators.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

from hikisim.errors import InputError

LOGIT_FLOOR = 1e-4
"""Measured shares are clipped to [1e-4, 1 - 1e-4] before the logit (a run may count 0)."""
MIN_RUNS = 5
"""An emulator needs at least this many finished runs of its target."""
QUADRATURE_NODES = 9
"""Gauss-Hermite nodes for the mean share over seed noise (exact to far below 1e-6 here)."""
FOLDS = 8
"""Cross-validation folds that set an emulator's variance inflation."""
MAX_INFLATION = 1e4
"""The inflation's upper end: beyond it the emulator is already uninformative."""


def logit(p: np.ndarray) -> np.ndarray:
    """The logit of shares, clipped away from 0 and 1 first."""
    p = np.clip(np.asarray(p, dtype=float), LOGIT_FLOOR, 1.0 - LOGIT_FLOOR)
    return np.log(p / (1.0 - p))


def expit(z: np.ndarray) -> np.ndarray:
    """The inverse of :func:`logit`."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


@dataclass
class TargetEmulator:
    """One target's emulator: a linear trend plus a Gaussian process of the residuals.

    Attributes:
        trend: Intercept and slopes of the linear trend, on the logit scale.
        process: The fitted Gaussian process of the residuals.
        noise: The fitted white-noise variance (the model's seed noise, logit scale).
        runs: How many runs it was fitted on.
        inflation: The factor its variance (of the mean) is multiplied by, set by
            cross-validation (:func:`inflation_factor`); 1 for a well-calibrated one.
        checked: Cross-validated standardized errors of its runs, with the inflation.
            The inflation was set on these errors, so they report the fit rather than
            test it; the next wave's runs are the independent check.
    """

    trend: np.ndarray
    process: GaussianProcessRegressor
    noise: float
    runs: int
    inflation: float = 1.0
    checked: np.ndarray = field(default_factory=lambda: np.empty(0))
    _fast: tuple[np.ndarray, ...] | None = field(default=None, repr=False)

    def predict_one(self, point: np.ndarray) -> tuple[float, float]:
        """:meth:`predict` at one point, without scikit-learn's per-call overhead.

        The sampler asks for one point at a time, tens of thousands of times; this is
        the same computation (``tests/test_bayes.py`` checks it against :meth:`predict`)
        from arrays prepared once: the scaled training inputs, the weights
        ``K^-1 y`` and the inverse Cholesky factor of ``K``.
        """
        if self._fast is None:
            kernel = self.process.kernel_
            scale = np.asarray(kernel.k1.k2.length_scale, dtype=float)
            self._fast = (
                self.process.X_train_ / scale,
                scale,
                np.asarray(self.process.alpha_, dtype=float).ravel(),
                np.linalg.inv(self.process.L_),
                np.array([kernel.k1.k1.constant_value]),
                np.array([self.process._y_train_mean, self.process._y_train_std], dtype=float),
            )
        inputs, scale, alpha, inverse, amplitude, (y_mean, y_std) = self._fast
        amp = float(amplitude[0])
        k = amp * np.exp(-0.5 * np.sum(np.square(point / scale - inputs), axis=1))
        v = inverse @ k
        mean = float(k @ alpha) * y_std + y_mean
        variance = max((amp - float(v @ v)) * y_std**2, 1e-12) * self.inflation
        return self.trend[0] + float(point @ self.trend[1:]) + mean, variance

    def predict(self, unit: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The model mean's prediction at points of the unit cube, on the logit scale.

        Args:
            unit: Points, shape (points, parameters).

        Returns:
            Mean and variance (of the mean, seed noise excluded), each shape (points,).
        """
        unit = np.atleast_2d(unit)
        mean, std = self.process.predict(unit, return_std=True)
        variance = np.maximum(std**2 - self.noise, 1e-12) * self.inflation
        return self.trend[0] + unit @ self.trend[1:] + mean, variance


def _linear_trend(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares intercept and slopes of ``y`` on ``x``, and what they leave.

    The Gaussian process models the residual around this trend, so that far from the
    runs the emulator falls back on a plane rather than on a constant.

    Args:
        x: The runs, shape (runs, parameters).
        y: Their logits.

    Returns:
        The coefficients (intercept first) and the residuals.
    """
    design = np.column_stack([np.ones(len(x)), x])
    trend, *_ = np.linalg.lstsq(design, y, rcond=None)
    return trend, y - design @ trend


def fit_emulator(
    unit: np.ndarray, shares: np.ndarray, seed: int, recent: int = 0
) -> TargetEmulator:
    """Fit one target's emulator to design runs.

    Args:
        unit: Design points on the unit cube, shape (runs, parameters).
        shares: The target measured in each run (NaN where it could not be).
        seed: Seeds the optimiser's restarts, so a refit gives the same emulator.
        recent: How many of the last runs are the latest wave's (0 to all). They lie
            where the posterior is, away from the earlier runs, so the inflation is the
            larger of the factor set by cross-validation on all runs and the one that
            makes the latest wave's runs, predicted from the earlier runs alone,
            standard (by cross-validation when there are no earlier runs).

    Returns:
        The emulator.

    Raises:
        ValueError: If fewer than :data:`MIN_RUNS` runs measured the target, or
            ``recent`` is not between 0 and the number of runs.
    """
    if not 0 <= recent <= len(unit):
        raise ValueError(f"recent must be 0 to {len(unit)} runs, got {recent}")
    keep = np.isfinite(shares)
    if keep.sum() < MIN_RUNS:
        raise ValueError(f"only {int(keep.sum())} runs measured this target")
    x, y = unit[keep], logit(shares[keep])
    trend, residual = _linear_trend(x, y)
    dims = x.shape[1]
    kernel = ConstantKernel(1.0, (1e-3, 1e2)) * RBF(np.full(dims, 0.5), (0.05, 1e3)) + WhiteKernel(
        0.3, (1e-4, 2.0)
    )
    process = GaussianProcessRegressor(
        kernel=kernel, normalize_y=True, n_restarts_optimizer=2, random_state=seed
    )
    with warnings.catch_warnings():
        # A length scale at its upper bound means "this input does not matter here".
        warnings.simplefilter("ignore", ConvergenceWarning)
        process.fit(x, residual)
    emulator = TargetEmulator(trend, process, _noise_of(process, residual), len(x))
    errors, variances, noises = cross_validated(emulator, x, y, seed)
    factors = [inflation_factor(errors, variances, noises)]
    latest = (np.arange(len(unit)) >= len(unit) - recent)[keep]
    earlier = ~latest
    if latest.sum() >= MIN_RUNS and earlier.sum() >= MIN_RUNS:
        # Random folds leave each new run's same-wave neighbours in training, which
        # flatters the emulator; predicting the whole latest wave from the earlier
        # ones is how it is used (at points placed away from those it was fitted on).
        mean, variance, noise = refit_predict(emulator, x[earlier], y[earlier], x[latest])
        factors.append(inflation_factor(y[latest] - mean, variance, np.full(len(mean), noise)))
    elif latest.sum() >= MIN_RUNS:
        factors.append(inflation_factor(errors[latest], variances[latest], noises[latest]))
    emulator.inflation = max(factors)
    emulator.checked = errors / np.sqrt(emulator.inflation * variances + noises)
    return emulator


def _noise_of(process: GaussianProcessRegressor, residual: np.ndarray) -> float:
    # normalize_y scales the kernel by the residuals' variance; the white term's fitted
    # level is in those units.
    return float(process.kernel_.k2.noise_level) * float(np.var(residual))


def cross_validated(
    emulator: TargetEmulator, x: np.ndarray, y: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each run predicted by the emulator refitted without its fold.

    The refits keep the fitted hyperparameters (no new optimisation), so this checks the
    emulator as fitted, at the cost of a few Cholesky factorisations.

    Args:
        emulator: The emulator fitted on all runs.
        x: Its runs' points, shape (runs, parameters).
        y: Their logits, shape (runs,).
        seed: Seeds the split into folds.

    Returns:
        Per run: the error (logit minus prediction), the predicted variance of the mean
        (not inflated) and the fold's seed-noise variance.
    """
    folds = np.random.default_rng(seed).permutation(len(x)) % min(FOLDS, len(x))
    errors, variances, noises = (np.empty(len(x)) for _ in range(3))
    for fold in np.unique(folds):
        train, test = folds != fold, folds == fold
        mean, variances[test], noises[test] = refit_predict(emulator, x[train], y[train], x[test])
        errors[test] = y[test] - mean
    return errors, variances, noises


def refit_predict(
    emulator: TargetEmulator, x: np.ndarray, y: np.ndarray, new: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """Predict new points from an emulator refitted on some runs, hyperparameters kept.

    Args:
        emulator: The fitted emulator (its kernel's hyperparameters are reused).
        x: The runs to refit on, shape (runs, parameters).
        y: Their logits.
        new: The points to predict.

    Returns:
        The predicted logits, their variance of the mean (not inflated) and the refit's
        seed-noise variance.
    """
    trend, residual = _linear_trend(x, y)
    process = clone(emulator.process).set_params(kernel=emulator.process.kernel_, optimizer=None)
    process.fit(x, residual)
    noise = _noise_of(process, residual)
    mean, std = process.predict(new, return_std=True)
    return trend[0] + new @ trend[1:] + mean, np.maximum(std**2 - noise, 1e-12), noise


def inflation_factor(errors: np.ndarray, variances: np.ndarray, noises: np.ndarray) -> float:
    """The smallest factor >= 1 on the mean's variance that makes errors standard.

    Solves ``mean(e^2 / (c * v + n)) = 1`` for ``c``: the seed noise ``n`` is measured
    directly by the white-noise term, so the shortfall is put on the emulator's own
    uncertainty ``v``.

    Args:
        errors: Held-out errors.
        variances: Their predicted variances of the mean.
        noises: Their seed-noise variances.

    Returns:
        The factor, in [1, :data:`MAX_INFLATION`].
    """

    def excess(factor: float) -> float:
        return float(np.mean(np.square(errors) / (factor * variances + noises))) - 1.0

    if excess(1.0) <= 0.0:
        return 1.0
    if excess(MAX_INFLATION) > 0.0:
        return MAX_INFLATION
    return float(brentq(excess, 1.0, MAX_INFLATION, xtol=1e-6))


def fit_emulators(
    unit: np.ndarray, outputs: np.ndarray, names: list[str], seed: int, recent: int = 0
) -> dict[str, TargetEmulator]:
    """Fit one emulator per target.

    Args:
        unit: Design points, shape (runs, parameters).
        outputs: Measured targets, shape (runs, targets).
        names: The targets' names, in column order.
        seed: Base seed of the optimisers.
        recent: How many of the last runs are the latest wave's (see
            :func:`fit_emulator`).

    Returns:
        Target name -> emulator.
    """
    emulators = {}
    for column, name in enumerate(names):
        try:
            emulators[name] = fit_emulator(unit, outputs[:, column], seed + column, recent)
        except ValueError as error:
            raise InputError(
                f"{error} (at least {MIN_RUNS} needed): a town too small for the target's "
                "band, or failed runs (their files under the wave's runs/ say why)",
                "targets",
                name,
            ) from None
    return emulators


def mean_share(logit_mean: np.ndarray, noise: float) -> np.ndarray:
    """The mean over seeds of a share whose logit is normal (``logit_mean``, ``noise``).

    An emulator models the seeds' average *logit*; its expit is the seeds' median share,
    which lies below their mean share for small shares. A survey estimates the mean (a
    share in a large population), so predictions are carried to it by Gauss-Hermite
    quadrature over the seed noise.

    Args:
        logit_mean: Emulated mean logits.
        noise: The seed noise's variance on the logit scale.

    Returns:
        The mean shares, same shape.
    """
    nodes, weights = np.polynomial.hermite_e.hermegauss(QUADRATURE_NODES)
    z = np.asarray(logit_mean, dtype=float)[..., None] + math.sqrt(noise) * nodes
    return expit(z) @ (weights / weights.sum())


def predict_shares(
    emulators: dict[str, TargetEmulator], unit: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every target's predicted model mean, as a share, with its variance.

    The mean is over seeds (:func:`mean_share`); the emulator's logit-scale variance is
    carried to the share scale by the delta method.

    Args:
        emulators: Target name -> emulator, in target order.
        unit: Points on the unit cube.

    Returns:
        Means and variances, each shape (points, targets).
    """
    means, variances = [], []
    for emulator in emulators.values():
        mean, variance = emulator.predict(unit)
        share = mean_share(mean, emulator.noise)
        means.append(share)
        variances.append((share * (1.0 - share)) ** 2 * variance)
    return np.column_stack(means), np.column_stack(variances)


def standardized_errors(
    emulators: dict[str, TargetEmulator], unit: np.ndarray, outputs: np.ndarray
) -> np.ndarray:
    """Out-of-sample check: each new run's distance from its emulator's prediction.

    Runs the emulators were not fitted on (the next wave's) are compared with their
    predictions on the logit scale, in units of the predicted spread of one run (the
    mean's variance plus the seed noise). A sound emulator gives errors about standard
    normal: few beyond 2, almost none beyond 3 (Bastos and O'Hagan 2009).

    Args:
        emulators: Target name -> emulator, in column order.
        unit: The new runs' points, shape (runs, parameters).
        outputs: Their measured targets, shape (runs, targets); NaN is skipped.

    Returns:
        Standardized errors, shape (runs, targets), NaN where a run measured nothing.
    """
    errors = np.full(outputs.shape, np.nan)
    for column, emulator in enumerate(emulators.values()):
        mean, variance = emulator.predict(unit)
        measured = outputs[:, column]
        keep = np.isfinite(measured)
        spread = np.sqrt(variance + emulator.noise)
        errors[keep, column] = (logit(measured[keep]) - mean[keep]) / spread[keep]
    return errors
