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
            ("row_withdrawn", *_counts(base.withdrawn_now, treated.withdrawn_now)),
            ("row_cases", *_counts(base.cases_now, treated.cases_now)),
            ("row_new", *_counts(base.new_cases, treated.new_cases)),
            ("row_years", *_amounts(base.person_years, treated.person_years)),
            ("row_help", *_whole(base.help_weeks, treated.help_weeks)),
            ("row_cost", *_money(base.cost, treated.cost)),
        ]


def _counts(base: int, treated: int) -> tuple[str, str, str]:
    return f"{base}", f"{treated}", f"{treated - base:+d}"


def _amounts(base: float, treated: float) -> tuple[str, str, str]:
    return number(base, ".1f"), number(treated, ".1f"), number(treated - base, "+.1f")


def _whole(base: float, treated: float) -> tuple[str, str, str]:
    return number(base, ",.0f"), number(treated, ",.0f"), number(treated - base, "+,.0f")


def _money(base: float, treated: float) -> tuple[str, str, str]:
    return (
        number(base / 1e3, ",.0f"),
        number(treated / 1e3, ",.0f"),
        number((treated - base) / 1e3, "+,.0f"),
    )


def compare(model: HikiModel, baseline: HikiModel) -> Comparison:
    """Compare a run with interventions against its baseline twin."""
    return Comparison(baseline=arm_totals(baseline), intervention=arm_totals(model))
