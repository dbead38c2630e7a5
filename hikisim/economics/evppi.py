"""EVPPI by nonparametric regression (Strong, Oakley & Brennan 2014, Med Decis Making).

For a group of parameters phi, the partial expected value of perfect information is
E_phi[max_d E(NB_d | phi)] - max_d E(NB_d). The inner conditional expectations are
estimated from the same PSA draws by regressing each strategy's incremental net benefit
(against the first strategy) on phi; the fitted values stand in for E(INB_d | phi).

Two smoothers:

* ``"gam"``: penalised cubic regression splines (P-splines, Eilers & Marx 1996) with the
  smoothing parameter chosen by generalised cross-validation, in numpy and scipy only.
  One parameter gets one smooth; two get a tensor-product smooth (interactions); more
  get an additive model, which misses interactions.
* ``"gp"``: a Gaussian process with an anisotropic squared-exponential kernel plus
  noise (as in Strong et al. for larger groups). Needs scikit-learn, which is optional.

``"auto"`` uses the GAM for groups of one or two parameters and the GP for larger groups,
falling back to the additive GAM (with a warning) when scikit-learn is missing.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.interpolate import BSpline

from hikisim.economics.decision import net_monetary_benefit, psa_arrays

Method = Literal["auto", "gam", "gp"]
FloatArray = NDArray[np.float64]

N_BASIS = 10
"""Cubic B-spline basis functions per parameter (tensor products use ``N_BASIS_2D``)."""
N_BASIS_2D = 7
LAMBDAS = np.logspace(-6, 6, 25)
"""Relative smoothing parameters searched by generalised cross-validation."""
GP_MAX_DRAWS = 1500
"""Largest number of draws a GP is fitted to; more draws are subsampled for the fit."""


def evppi(
    costs: ArrayLike,
    effects: ArrayLike,
    parameters: pd.DataFrame | ArrayLike,
    wtp: float,
    *,
    groups: Mapping[str, Sequence[str]] | None = None,
    method: Method = "auto",
    seed: int = 0,
) -> pd.Series:
    """EVPPI of parameter groups, by regression on PSA draws, in the inputs' units.

    Args:
        costs: PSA costs, shape (draws, strategies).
        effects: PSA effects, the same shape.
        parameters: The parameter values of each draw, shape (draws, parameters); a
            DataFrame keeps its column names, an array gets ``p0``, ``p1``, ...
        wtp: Willingness to pay per unit of effect.
        groups: Group name to the parameter names in the group. By default every
            parameter is its own group.
        method: ``"gam"``, ``"gp"`` or ``"auto"`` (see the module docstring).
        seed: Seed of the subsample a GP is fitted to when there are many draws.

    Returns:
        EVPPI in cost units per group, a Series named ``evppi`` indexed by group name.

    Raises:
        ValueError: If shapes disagree, a group is empty or names an unknown parameter.
        ImportError: If ``method="gp"`` and scikit-learn is not installed.
    """
    cost, effect = psa_arrays(costs, effects)
    table = _parameter_table(parameters, cost.shape[0])
    chosen = groups if groups is not None else {name: [name] for name in table.columns}
    nmb = net_monetary_benefit(cost, effect, wtp)
    incremental = nmb[:, 1:] - nmb[:, :1]
    values = {}
    for name, members in chosen.items():
        inputs = _group_inputs(table, name, members)
        values[name] = _evppi_from_fit(_fit(inputs, incremental, method, seed))
    return pd.Series(values, name="evppi", dtype=float)


def _evppi_from_fit(fitted: FloatArray) -> float:
    """EVPPI from fitted incremental net benefits, Strong et al. 2014 eq. (11)."""
    with_baseline = np.column_stack([np.zeros(fitted.shape[0]), fitted])
    value = with_baseline.max(axis=1).mean() - with_baseline.mean(axis=0).max()
    return max(0.0, float(value))


def _parameter_table(parameters: pd.DataFrame | ArrayLike, n_draws: int) -> pd.DataFrame:
    """Parameters as a float DataFrame with one row per draw."""
    if isinstance(parameters, pd.DataFrame):
        table = parameters.astype(float).reset_index(drop=True)
    else:
        array = np.asarray(parameters, dtype=float)
        array = array.reshape(-1, 1) if array.ndim == 1 else array
        table = pd.DataFrame(array, columns=[f"p{i}" for i in range(array.shape[1])])
    if table.shape[0] != n_draws:
        raise ValueError(f"parameters have {table.shape[0]} rows for {n_draws} PSA draws")
    if not np.all(np.isfinite(table.to_numpy())):
        raise ValueError("parameter values must be finite")
    return table


def _group_inputs(table: pd.DataFrame, name: str, members: Sequence[str]) -> FloatArray:
    """The columns of one parameter group, checked."""
    members = [members] if isinstance(members, str) else list(members)
    if not members:
        raise ValueError(f"parameter group {name!r} is empty")
    unknown = [m for m in members if m not in table.columns]
    if unknown:
        raise ValueError(f"parameter group {name!r} names unknown parameters: {unknown}")
    return table[members].to_numpy(dtype=float)


def _fit(inputs: FloatArray, targets: FloatArray, method: Method, seed: int) -> FloatArray:
    """Fitted values of every target column regressed on the inputs."""
    if targets.shape[1] == 0:
        return targets
    if method == "auto":
        method = "gam" if inputs.shape[1] <= 2 or not _have_sklearn() else "gp"
        if inputs.shape[1] > 2 and method == "gam":
            warnings.warn(
                "scikit-learn is not installed; EVPPI for a group of more than two "
                "parameters uses an additive GAM, which ignores interactions",
                stacklevel=3,
            )
    if method == "gp":
        return _fit_gp(inputs, targets, seed)
    if method == "gam":
        return _fit_gam(inputs, targets)
    raise ValueError(f"unknown EVPPI method {method!r}; use 'auto', 'gam' or 'gp'")


def _have_sklearn() -> bool:
    """Whether scikit-learn can be imported."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return False
    return True


# --- GAM: penalised regression splines -------------------------------------------------


def _fit_gam(inputs: FloatArray, targets: FloatArray) -> FloatArray:
    """Fitted values of a P-spline GAM for each target column."""
    design, penalty = _gam_design(inputs)
    if _free_rank(design, penalty) >= inputs.shape[0] - 1:
        # The directions the penalty leaves free are fitted exactly at every smoothing
        # level; when they alone span the draws, every fit passes through them and GCV
        # has nothing to choose (its computed edf can then come out below n - 1 by
        # rounding, which let an interpolating fit through: an EVPPI equal to the EVPI).
        # The constant fit stands, as when GCV finds no smoothing level that leaves
        # residual degrees of freedom.
        return np.column_stack(
            [np.full(inputs.shape[0], targets[:, j].mean()) for j in range(targets.shape[1])]
        )
    return np.column_stack(
        [_penalised_fit(design, penalty, targets[:, j]) for j in range(targets.shape[1])]
    )


def _gam_design(inputs: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Design matrix and penalty of a one-, two- or many-parameter smooth."""
    n_params = inputs.shape[1]
    if n_params == 1:
        return _bspline_basis(inputs[:, 0], N_BASIS)
    if n_params == 2:
        return _tensor_smooth(inputs[:, 0], inputs[:, 1])
    return _additive_smooth(inputs)


def _bspline_basis(x: FloatArray, n_basis: int) -> tuple[FloatArray, FloatArray]:
    """Cubic B-spline basis on equally spaced knots, and its 2nd-difference penalty.

    A constant input gets a single constant column and no penalty.
    """
    low, high = float(x.min()), float(x.max())
    if high <= low:
        return np.ones((x.size, 1)), np.zeros((1, 1))
    degree = 3
    inner = np.linspace(low, high, n_basis - degree + 1)
    knots = np.r_[[low] * degree, inner, [high] * degree]
    basis = BSpline.design_matrix(np.clip(x, low, high), knots, degree).toarray()
    difference = np.diff(np.eye(n_basis), n=2, axis=0)
    return basis, difference.T @ difference


def _tensor_smooth(x: FloatArray, z: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Tensor-product P-spline of two inputs, penalised along each margin."""
    bx, px = _bspline_basis(x, N_BASIS_2D)
    bz, pz = _bspline_basis(z, N_BASIS_2D)
    design = (bx[:, :, None] * bz[:, None, :]).reshape(x.size, -1)
    penalty = np.kron(px, np.eye(bz.shape[1])) + np.kron(np.eye(bx.shape[1]), pz)
    return design, penalty


def _additive_smooth(inputs: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Additive P-spline model: an intercept plus one centred smooth per input."""
    blocks, penalties = [np.ones((inputs.shape[0], 1))], [np.zeros((1, 1))]
    for column in inputs.T:
        basis, penalty = _bspline_basis(column, N_BASIS)
        # Centring removes each smooth's copy of the intercept.
        blocks.append(basis - basis.mean(axis=0))
        penalties.append(penalty)
    size = sum(p.shape[0] for p in penalties)
    full = np.zeros((size, size))
    start = 0
    for penalty in penalties:
        stop = start + penalty.shape[0]
        full[start:stop, start:stop] = penalty
        start = stop
    return np.hstack(blocks), full


def _penalised_fit(design: FloatArray, penalty: FloatArray, y: FloatArray) -> FloatArray:
    """Fitted values of penalised least squares, smoothing chosen by GCV."""
    gram = design.T @ design
    rhs = design.T @ y
    # Scale lambda to the data so one grid suits any units; the tiny ridge keeps the
    # system solvable when centred additive blocks are collinear.
    scale = np.trace(gram) / max(np.trace(penalty), 1e-300)
    ridge = 1e-10 * np.trace(gram) / gram.shape[0] * np.eye(gram.shape[0])
    n = y.size
    best_score, best_fit = np.inf, np.full(n, y.mean())
    for lam in LAMBDAS:
        system = gram + lam * scale * penalty + ridge
        try:
            coef = np.linalg.solve(system, rhs)
            edf = float(np.trace(np.linalg.solve(system, gram)))
        except np.linalg.LinAlgError:
            continue
        fitted = design @ coef
        if edf >= n - 1:
            continue
        score = n * float(np.sum((y - fitted) ** 2)) / (n - edf) ** 2
        if score < best_score:
            best_score, best_fit = score, fitted
    return best_fit


def _free_rank(design: FloatArray, penalty: FloatArray) -> int:
    """Rank of the design in the directions the penalty leaves unpenalised."""
    values, vectors = np.linalg.eigh(penalty)
    free = vectors[:, values <= 1e-9 * max(float(values.max(initial=0.0)), 1e-300)]
    return int(np.linalg.matrix_rank(design @ free)) if free.shape[1] else 0


# --- GP: Gaussian process regression (optional scikit-learn) ---------------------------


def _fit_gp(inputs: FloatArray, targets: FloatArray, seed: int) -> FloatArray:
    """Posterior-mean fitted values of a GP for each target column."""
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.gaussian_process import GaussianProcessRegressor
        from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
    except ImportError as error:
        raise ImportError(
            "EVPPI with method='gp' needs scikit-learn; install it or use method='gam'"
        ) from error
    spread = inputs.std(axis=0)
    scaled = (inputs - inputs.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    rng = np.random.default_rng(seed)
    n = scaled.shape[0]
    subset = rng.choice(n, size=GP_MAX_DRAWS, replace=False) if n > GP_MAX_DRAWS else None
    fitted = []
    for j in range(targets.shape[1]):
        kernel = ConstantKernel(1.0) * RBF(
            length_scale=np.ones(scaled.shape[1]), length_scale_bounds=(1e-2, 1e3)
        ) + WhiteKernel(noise_level=1.0, noise_level_bounds=(1e-8, 1e2))
        model = GaussianProcessRegressor(kernel=kernel, normalize_y=True, random_state=seed)
        x_fit = scaled if subset is None else scaled[subset]
        y_fit = targets[:, j] if subset is None else targets[subset, j]
        with warnings.catch_warnings():
            # Hyperparameters at their bounds are expected, not a fault: a parameter
            # that does not matter gets an infinite length scale, and a group that fully
            # determines the net benefit gets zero noise.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(x_fit, y_fit)
        fitted.append(model.predict(scaled))
    return np.column_stack(fitted)
