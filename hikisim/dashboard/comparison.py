"""Running totals of the two runs in the comparison view, and what the interventions averted."""

from __future__ import annotations

from dataclasses import dataclass

from hikisim.dashboard.i18n import number
from hikisim.metrics import current_cases
from hikisim.model import HikiModel
from hikisim.states import WEEKS_PER_YEAR, State


@dataclass(frozen=True)
class ArmTotals:
    """Where one run stands after the weeks simulated so far.

    Attributes:
        withdrawn_now: Youths withdrawn this week.
        cases_now: Current hikikomori cases.
        new_cases: Episodes that became hikikomori since week 0.
        person_years: Person-years spent in hikikomori since week 0.
        help_weeks: Participant-weeks the interventions delivered since they started.
        cost: Intervention cost since week 0, in yen.
    """

    withdrawn_now: int
    cases_now: int
    new_cases: int
    person_years: float
    help_weeks: float
    cost: float


def arm_totals(model: HikiModel) -> ArmTotals:
    """Totals of one run from its weekly records and its current state."""
    records = model.weekly_records
    return ArmTotals(
        withdrawn_now=int((model.population.youths.state == State.WITHDRAWN).sum()),
        cases_now=len(current_cases(model)),
        new_cases=int(sum(record["new_cases"] for record in records)),
        person_years=sum(record["hikikomori"] for record in records) / WEEKS_PER_YEAR,
        help_weeks=float(sum(i.participant_weeks for i in model.interventions)),
        cost=float(sum(record["cost"] for record in records)),
    )


@dataclass(frozen=True)
class Comparison:
    """The run with interventions next to its baseline twin.

    Attributes:
        baseline: Totals without interventions.
        intervention: Totals with the interventions switched on.
    """

    baseline: ArmTotals
    intervention: ArmTotals

    @property
    def cases_averted(self) -> int:
        """New hikikomori cases the interventions prevented (negative if they added some)."""
        return self.baseline.new_cases - self.intervention.new_cases

    @property
    def person_years_averted(self) -> float:
        """Person-years of hikikomori the interventions prevented."""
        return self.baseline.person_years - self.intervention.person_years

    def rows(self) -> list[tuple[str, str, str, str]]:
        """The comparison table: what (a key of the page's strings), without, with, difference."""
        base, treated = self.baseline, self.intervention
        return [
            ("row_withdrawn", *_cells(base.withdrawn_now, treated.withdrawn_now, "d")),
            ("row_cases", *_cells(base.cases_now, treated.cases_now, "d")),
            ("row_new", *_cells(base.new_cases, treated.new_cases, "d")),
            ("row_years", *_cells(base.person_years, treated.person_years, ".1f")),
            ("row_help", *_cells(base.help_weeks, treated.help_weeks, ",.0f")),
            ("row_cost", *_cells(base.cost, treated.cost, ",.0f", per=1e3)),
        ]


def _cells(base: float, treated: float, spec: str, per: float = 1) -> tuple[str, str, str]:
    """Without, with and the signed difference, in units of ``per``, written with ``spec``."""
    difference = treated - base
    if per != 1:  # only then: a count divided by 1 would become a float, which "d" refuses
        base, treated, difference = base / per, treated / per, difference / per
    return number(base, spec), number(treated, spec), number(difference, f"+{spec}")


def compare(model: HikiModel, baseline: HikiModel) -> Comparison:
    """Compare a run with interventions against its baseline twin."""
    return Comparison(baseline=arm_totals(baseline), intervention=arm_totals(model))
