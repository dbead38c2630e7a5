"""Bayesian calibration: history matching with emulators, then ABC-SMC (issue 12).

See :mod:`hikisim.bayes.pipeline` for the stages and ``docs/calibration.md`` for the fit.
"""
