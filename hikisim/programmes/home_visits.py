"""Home visits and outreach to withdrawn youths whose families never sought help."""

from __future__ import annotations

import math

import numpy as np
from pydantic import Field

from hikisim.programmes.base import share
from hikisim.programmes.decay import half_life_field
from hikisim.programmes.enrolment import Programme, ProgrammeParams
from hikisim.programmes.interface import KernelInterface, ProgrammeHost
from hikisim.states import Care, State, Track


class HomeVisitParams(ProgrammeParams):
    """Home visits and outreach to withdrawn youths whose families never sought help.

    Attributes:
        capacity_per_10k: Youths that can be visited at once, per 10,000 youths.
        link_weeks: Weeks of visits before the youth is linked to care.
    """

    coverage: float = Field(
        1.0,
        ge=0.0,
        le=1.0,
        description="Share of youths (one fixed draw per seat) living where outreach is available; "
        "the binding limit is capacity_per_10k. Unit: fraction. Source: assumption.",
    )
    uptake: float = Field(
        0.1,
        ge=0.0,
        le=1.0,
        description="Weekly probability that an eligible withdrawn youth (outside care, family "
        "never sought help) accepts visits, if a place is free. Unit: probability per "
        "week. Source: assumption.",
    )
    dropout: float = Field(
        0.03,
        ge=0.0,
        le=1.0,
        description="Weekly probability that visits stop before linkage. Unit: probability per "
        "week. Source: assumption.",
    )
    max_weeks: int = Field(
        52,
        ge=1,
        le=520,
        description="Longest run of visits for one youth. Unit: weeks. Source: assumption.",
    )
    exit_multiplier: float = Field(
        1.3,
        ge=0.0,
        le=20.0,
        description="Multiplies the WITHDRAWN to RECOVERING hazard while visited. Unit: "
        "multiplier. Source: assumption; outreach including home visits is recommended "
        "in the seed text and by Wong et al. 2019.",
    )
    capacity_per_10k: float = Field(
        20.0,
        ge=0.0,
        le=10_000.0,
        description="Youths who can be visited at the same time, per 10,000 youths in the model. "
        "Unit: places per 10,000 youths. Source: assumption.",
    )
    link_weeks: int = Field(
        12,
        ge=1,
        le=520,
        description="Weeks of visits after which the youth is linked to psychosocial care. Unit: "
        "weeks. Source: assumption.",
    )
    cost_per_participant_week: float = Field(
        15_000.0,
        ge=0.0,
        le=1e7,
        description="Cost of visiting one youth for one week (staff time and travel). Unit: yen "
        "per participant-week. Source: assumption.",
    )
    effect_half_life_weeks: float = half_life_field(
        52.0,
        "assumption, as family therapy; relapse after home treatment ended was frequent in "
        "Barcelona (Malagon-Amor et al. 2018, n = 190).",
    )


class HomeVisits(Programme):
    """Outreach that reaches withdrawn youths whose families never sought help.

    Places go first to youths who dropped out of school or are stuck in the
    school-to-work transition (track NEITHER, aged 15-24). After ``link_weeks`` of visits
    a youth is linked to psychosocial care.
    """

    name = "home_visits"
    label = "Home visits and outreach"
    Params = HomeVisitParams
    params: HomeVisitParams

    def setup(self, model: ProgrammeHost) -> None:
        """Allocate arrays and record who has ever been visited."""
        super().setup(model)
        n = len(model.kernel_interface.youths)
        self.ever_visited = np.full(n, -1, np.int64)
        # Round up so a small model still gets a place when capacity is non-zero.
        self.capacity = math.ceil(self.params.capacity_per_10k * n / 10_000)

    def eligible(self, kernel: KernelInterface) -> np.ndarray:
        """Withdrawn youths outside care whose families never sought help."""
        y, fam = kernel.youths, kernel.families
        return (y.state == State.WITHDRAWN) & (y.care == Care.NONE) & ~fam.sought_help[y.family]

    def still_needs(self, kernel: KernelInterface, seats: np.ndarray) -> np.ndarray:
        """Visits stop once the youth is engaged or linked to care."""
        y = kernel.youths
        return (y.state[seats] != State.ENGAGED) & (y.care[seats] == Care.NONE)

    def select_new(self, kernel: KernelInterface, candidates: np.ndarray) -> np.ndarray:
        """Fill free places, dropouts and the school-to-work transition first."""
        free = max(self.capacity - int(self.enrolled.sum()), 0)
        y = kernel.youths
        age = y.age_weeks[candidates]
        priority = (y.track[candidates] == Track.NEITHER) & (age >= 15 * 52) & (age < 25 * 52)
        order = np.argsort(~priority, kind="stable")
        return candidates[order[:free]]

    def on_enrol(self, kernel: KernelInterface, seats: np.ndarray) -> None:
        """Remember who was reached."""
        self.ever_visited[seats] = kernel.youths.person_id[seats]

    def add_effects(self, kernel: KernelInterface, seats: np.ndarray) -> None:
        """Visits raise the exit hazard; after ``link_weeks`` the youth enters care."""
        super().add_effects(kernel, seats)
        linked = seats[self.weeks[seats] >= self.params.link_weeks]
        kernel.start_care(linked, Care.PSYCHOSOCIAL)

    def outcomes(self, model: ProgrammeHost) -> dict[str, float]:
        """Share of current never-helped cases that outreach has reached."""
        kernel = model.kernel_interface
        y, fam = kernel.youths, kernel.families
        cases = kernel.current_cases()
        never_helped = cases[~fam.sought_help[y.family[cases]]]
        visited = self.ever_visited[never_helped] == y.person_id[never_helped]
        reached = share(np.count_nonzero(visited), len(never_helped))
        return super().outcomes(model) | {"home_visits_reached_share": reached}
