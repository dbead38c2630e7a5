"""The run plan: every run of a sweep, with its seed and a deterministic ``run_id``.

A run is identified by its parameters, replicate, seed and the model version, hashed
into a short ``run_id``. Rerunning the same experiment plans the same ids, which is what
makes resuming safe: a finished id is never run twice, and two design rows that happen
to coincide (possible in Morris designs) share one run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from hikisim import __version__
from hikisim.sweeps.designs import Design
from hikisim.sweeps.experiment import Experiment

RUN_ID_LENGTH = 16


@dataclass(frozen=True)
class RunSpec:
    """One planned run.

    Attributes:
        run_id: Short hash of (parameters, replicate, seed, model version).
        point: The first design row that asks for this run.
        replicate: Replicate number, from 0.
        seed: The run's seed.
        parameters: The varied parameters' values.
    """

    run_id: str
    point: int
    replicate: int
    seed: int
    parameters: dict[str, Any]


@dataclass(frozen=True)
class Plan:
    """All runs of a sweep.

    Attributes:
        design: The design the runs come from.
        runs: The distinct runs, in design order.
        row_run_ids: ``row_run_ids[row][replicate]`` is the run of that design row and
            replicate; sensitivity analysis uses it to line results up with the design.
    """

    design: Design
    runs: list[RunSpec]
    row_run_ids: list[list[str]]

    @property
    def run_ids(self) -> list[str]:
        """The planned run ids, in design order."""
        return [run.run_id for run in self.runs]


def derive_seed(base_seed: int, *keys: int) -> int:
    """A run seed derived from the base seed and integer keys, in [0, 2**63).

    Uses numpy's SeedSequence, which spreads nearby keys over unrelated seeds.

    Args:
        base_seed: The experiment's base seed.
        *keys: For example the replicate, or the design row and the replicate.

    Returns:
        A non-negative 63-bit seed.
    """
    words = np.random.SeedSequence(base_seed, spawn_key=keys).generate_state(2, np.uint32)
    return (int(words[0]) << 31) ^ int(words[1])


def run_seed(experiment: Experiment, row: int, replicate: int) -> int:
    """The seed of one run under the experiment's seeding policy.

    With ``common`` seeding (the default) replicate i uses the same seed at every design
    point, so design points are compared under common random numbers.

    Args:
        experiment: The experiment.
        row: The design row.
        replicate: The replicate.

    Returns:
        The seed.
    """
    if experiment.seeding == "common":
        return derive_seed(experiment.seed, replicate)
    return derive_seed(experiment.seed, row, replicate)


def make_run_id(
    parameters: dict[str, Any], replicate: int, seed: int, version: str = __version__
) -> str:
    """A deterministic run id: a short sha256 of canonical JSON.

    Args:
        parameters: The varied parameters' values.
        replicate: The replicate.
        seed: The run's seed.
        version: The model version.

    Returns:
        A hex string of :data:`RUN_ID_LENGTH` characters.
    """
    payload = {"parameters": parameters, "replicate": replicate, "seed": seed, "version": version}
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:RUN_ID_LENGTH]


def build_plan(experiment: Experiment, design: Design) -> Plan:
    """Plan every run: each design row times each replicate, without duplicates.

    Args:
        experiment: The experiment.
        design: Its design.

    Returns:
        The plan.
    """
    runs: dict[str, RunSpec] = {}
    row_run_ids = []
    for row, parameters in enumerate(design.points):
        ids = []
        for replicate in range(experiment.replicates):
            seed = run_seed(experiment, row, replicate)
            run_id = make_run_id(parameters, replicate, seed)
            runs.setdefault(run_id, RunSpec(run_id, row, replicate, seed, parameters))
            ids.append(run_id)
        row_run_ids.append(ids)
    return Plan(design, list(runs.values()), row_run_ids)
