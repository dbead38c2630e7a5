"""Known-answer tests of the compiled help-seeking passes (hikisim.help_seeking).

The two passes, with numpy's logistic function between them as the kernel uses them,
are compared with the rules written out in numpy (the code they replaced), on a real
town whose states, care, families and illnesses are scrambled.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from hikisim import help_seeking
from hikisim.dynamics import sigmoid
from hikisim.model import HikiModel
from hikisim.philox import uniforms_at
from hikisim.scenario import Scenario
from hikisim.states import Care, Disorder, State

AT_RISK, WITHDRAWN = int(State.AT_RISK), int(State.WITHDRAWN)
NO_CARE, CLINICAL, PSYCHOSOCIAL = int(Care.NONE), int(Care.CLINICAL), int(Care.PSYCHOSOCIAL)
COUNTER = (np.uint64(0x4E1F), np.uint64(0x5EEC), 900, 0)
SETTINGS = {"base": -1.0, "withdrawn": 0.7, "stigma": 0.4, "uptake": 0.6, "sensitivity": 0.8}


def scrambled_town(seed: int) -> HikiModel:
    model = HikiModel(Scenario().with_overrides({"population.youths": 3_000}), seed=seed)
    y, fam = model.population.youths, model.population.families
    rng, n = np.random.default_rng(seed), len(model.population.youths)
    y.state[:] = rng.choice([0, AT_RISK, WITHDRAWN, 3], n)
    y.care[:] = rng.choice([NO_CARE, CLINICAL, PSYCHOSOCIAL], n, p=[0.7, 0.15, 0.15])
    y.disorder[:] = rng.choice([int(d) for d in Disorder], n)
    y.depressed[:] = rng.random(n) < 0.2
    y.episode_row[:] = np.arange(n) % 50
    fam.never_seeks[:] = rng.random(len(fam.never_seeks)) < 0.3
    model.kernel.modifiers.help_logit[:] = rng.normal(0, 0.5, n).astype(np.float32)
    return model


def reference(model: HikiModel, help_sought: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The numpy rules the passes replaced."""
    y, fam = model.population.youths, model.population.families
    state = y.state
    symptomatic = np.flatnonzero((state == AT_RISK) | (state == WITHDRAWN))
    candidates = symptomatic[y.care[symptomatic] == NO_CARE]
    willing = candidates[~fam.never_seeks[y.family[candidates]]]
    family = y.family[willing]
    logit = (
        SETTINGS["base"]
        + fam.help_propensity[family]
        + SETTINGS["withdrawn"] * (state[willing] == WITHDRAWN)
        - SETTINGS["stigma"]
        + model.kernel.modifiers.help_logit[willing]
    )
    p_help = sigmoid(logit)
    u = uniforms_at(*COUNTER[:2], *COUNTER[2:], willing)
    contacted = willing[u < p_help]
    contact_draw = u[u < p_help] / p_help[u < p_help]
    fam.sought_help[y.family[contacted]] = True
    help_sought[y.episode_row[contacted[state[contacted] == WITHDRAWN]]] = True
    takes_up = contact_draw < SETTINGS["uptake"]
    seekers = contacted[takes_up]
    exam_draw = contact_draw[takes_up] / max(SETTINGS["uptake"], 1e-9)
    ill = (y.disorder[seekers] > 0) | y.depressed[seekers]
    detected = ill & (exam_draw < SETTINGS["sensitivity"])
    y.disorder_detected[seekers] |= detected
    kind = np.where(detected, CLINICAL, PSYCHOSOCIAL).astype(np.int8)
    return len(contacted), seekers, kind


def compiled(model: HikiModel, help_sought: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """The two passes as ``Kernel.seek_help_and_treat`` calls them."""
    y, fam = model.population.youths, model.population.families
    columns = help_seeking.HelpColumns(
        y.state, y.care, y.family, y.disorder, y.depressed, y.disorder_detected,
        y.episode_row, fam.never_seeks, fam.help_propensity, fam.sought_help,
        model.kernel.modifiers.help_logit,
    )  # fmt: skip
    columns = tuple(columns)  # as the model passes them
    symptomatic = np.flatnonzero((y.state == AT_RISK) | (y.state == WITHDRAWN))
    willing, logits = help_seeking.willing_logits(
        symptomatic, columns, SETTINGS["base"], SETTINGS["withdrawn"], SETTINGS["stigma"],
        NO_CARE, WITHDRAWN,
    )  # fmt: skip
    return help_seeking.contacts_and_exams(
        willing, sigmoid(logits), columns, help_sought, np.float32(SETTINGS["uptake"]),
        np.float32(SETTINGS["uptake"]), np.float32(SETTINGS["sensitivity"]),
        (WITHDRAWN, CLINICAL, PSYCHOSOCIAL), COUNTER,
    )  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_passes_match_the_rules_in_numpy(seed: int) -> None:
    model = scrambled_town(seed)
    twin = copy.deepcopy(model.population)
    got_flags, want_flags = np.zeros(50, bool), np.zeros(50, bool)
    got = compiled(model, got_flags)
    model.population, fresh = twin, model.population
    want = reference(model, want_flags)
    assert got[0] == want[0] > 50
    np.testing.assert_array_equal(got[1], want[1])
    np.testing.assert_array_equal(got[2], want[2])
    np.testing.assert_array_equal(got_flags, want_flags)
    np.testing.assert_array_equal(fresh.families.sought_help, twin.families.sought_help)
    np.testing.assert_array_equal(fresh.youths.disorder_detected, twin.youths.disorder_detected)
    # Not vacuous: both kinds of care start, and some families never ask.
    assert (got[2] == CLINICAL).sum() > 10 and (got[2] == PSYCHOSOCIAL).sum() > 10
    assert np.isin(got[1], np.flatnonzero(fresh.youths.care == NO_CARE)).all()
