"""The enhanced medical exam at the entry to care, with routing and hospital stays."""

from __future__ import annotations

import numpy as np
from pydantic import Field

from hikisim.programmes.base import Intervention, InterventionParams
from hikisim.programmes.interface import ProgrammeHost
from hikisim.states import Care, Disorder, State


class MedicalExamParams(InterventionParams):
    """Enhanced medical exam at the entry to care.

    Attributes:
        sensitivity: Probability that the exam finds an existing disorder.
        hospitalization_share: Share of severe secondary cases admitted to hospital.
        hospital_weeks: Length of a hospital stay.
        hospital_exit_multiplier: Multiplies the exit hazard during the stay.
        cost_per_hospital_week: Cost of one week in hospital, in yen.
    """

    coverage: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Weekly probability that a youth in care who has not yet had the enhanced exam "
        "receives it. Unit: probability per week. Source: assumption (every entrant to "
        "care examined at once).",
    )
    cost_per_participant_week: float = Field(
        30_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of one enhanced psychiatric exam, counted once per examined youth. Unit: "
        "yen per exam. Source: assumption (a specialist assessment with tests); not "
        "checked against the Japanese medical fee schedule.",
    )
    sensitivity: float = Field(
        0.95,
        ge=0.0,
        le=1.0,
        description="Probability that the enhanced exam finds an existing disorder (usual care "
        "uses care.exam_sensitivity). Unit: probability. Source: assumption (a "
        "structured specialist assessment).",
    )
    hospitalization_share: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Probability that a withdrawn youth found to have schizophrenia or major "
        "depression is admitted to hospital. Unit: probability. Source: assumption; "
        "hospitalization for severe concomitant disorders is named in the seed text.",
    )
    hospital_weeks: int = Field(
        8,
        ge=1,
        le=104,
        description="Length of a hospital stay. Unit: weeks. Source: assumption (an acute "
        "admission).",
    )
    hospital_exit_multiplier: float = Field(
        2.0,
        ge=0.0,
        le=20.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard during the stay, on top of the "
        "care multiplier. Unit: multiplier. Source: assumption.",
    )
    cost_per_hospital_week: float = Field(
        210_000.0,
        ge=0.0,
        le=1e8,
        description="Cost of one week in hospital. Unit: yen per week. Source: assumption (30,000 "
        "yen a day); not checked against the Japanese medical fee schedule.",
    )


class MedicalExam(Intervention):
    """A thorough psychiatric exam for everyone entering care, then routing.

    Secondary cases found by the exam go to clinical treatment (drug treatment, and
    hospital for severe schizophrenia or depression); primary cases to psychosocial care.
    """

    name = "medical_exam"
    label = "Medical exam"
    Params = MedicalExamParams
    params: MedicalExamParams

    def setup(self, model: ProgrammeHost) -> None:
        """Allocate per-seat exam and hospital records."""
        n = len(model.kernel_interface.youths)
        self.examined = np.full(n, -1, np.int64)
        self.hospital_left = np.zeros(n, np.int16)
        self.patient = np.full(n, -1, np.int64)
        self.hospital_weeks = 0

    @property
    def cost_parts(self) -> dict[str, float]:
        """Exams at the exam price, and hospital weeks at the hospital price."""
        p = self.params
        return {
            "cost_per_participant_week": self.participant_weeks * p.cost_per_participant_week,
            "cost_per_hospital_week": self.hospital_weeks * p.cost_per_hospital_week,
        }

    def apply(self, model: ProgrammeHost) -> None:
        """Examine new entrants to care, route them, and run hospital stays."""
        kernel = model.kernel_interface
        p, y = self.params, kernel.youths
        draw = self.rng.random(len(y), dtype=np.float32)
        # After the delivery years nobody new is examined; hospital stays run their course.
        entrants = np.flatnonzero(
            (y.care != Care.NONE)
            & (self.examined != y.person_id)
            & (draw < p.coverage)
            & kernel.delivering
        )
        self.examined[entrants] = y.person_id[entrants]
        exam_draw = draw[entrants] / max(p.coverage, 1e-9)
        found = entrants[(y.disorder[entrants] != Disorder.NONE) & (exam_draw < p.sensitivity)]
        kernel.record_diagnosis(found)
        kernel.route_care(
            entrants, np.where(y.disorder_detected[entrants], Care.CLINICAL, Care.PSYCHOSOCIAL)
        )
        self.mark_reached(kernel, entrants)
        severe = np.isin(y.disorder[found], (Disorder.SCHIZOPHRENIA, Disorder.DEPRESSION))
        admit_draw = self.rng.random(len(found), dtype=np.float32)
        admitted = found[severe & (admit_draw < p.hospitalization_share)]
        admitted = admitted[y.state[admitted] == State.WITHDRAWN]
        self.hospital_left[admitted] = p.hospital_weeks
        self.patient[admitted] = y.person_id[admitted]
        # A stay ends early when the patient leaves withdrawal or the seat turns over.
        self.hospital_left[(y.state != State.WITHDRAWN) | (self.patient != y.person_id)] = 0
        staying = np.flatnonzero(self.hospital_left > 0)
        kernel.modifiers.multiply("exit", staying, p.hospital_exit_multiplier)
        self.hospital_left[staying] -= 1
        self.hospital_weeks += len(staying)
        self.record(len(entrants))
