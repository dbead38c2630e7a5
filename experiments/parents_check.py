"""Compare the parents of the model's withdrawn people with the KHJ family surveys.

Runs the baseline to each check date and prints, for broad (``cao_broad``) cases and for
everyone of the same ages, the parents' mean ages, the shares whose father, mother or
both have died, the share with a mother in her 70s and 80s, and the 8050 share (a living
parent aged 75 or older). The KHJ figures are in docs/model.md, section 3.3.10; they are
checks, not model inputs.

    .venv/bin/python experiments/parents_check.py [--seed 20261125]

Prints a Markdown table.
"""

from __future__ import annotations

import argparse

import numpy as np

from hikisim.model import HikiModel
from hikisim.scenario import Scenario
from hikisim.states import WEEKS_PER_YEAR
from hikisim.survey_records import take_snapshot
from hikisim.surveys import PARENT_OLD_AGE, cao_broad_cases, in_band

# (date, lowest age, highest age): the KHJ 2013 family survey's withdrawn people averaged
# 33; its FY2017 support-window study and the 8050 problem concern ages 40-64.
CHECKS = (("2013-12", 30, 36), ("2018-12", 40, 64), ("2022-11", 40, 64))


def describe(model: HikiModel, date: str, lo: int, hi: int) -> list[str]:
    """Table rows for the cases and everyone aged ``lo..hi`` at the current week."""
    snapshot = take_snapshot(model, date)
    parents, youths = model.parents, model.population.youths
    age = youths.age_weeks / WEEKS_PER_YEAR
    mother, father = age + parents.mother_age_at_birth, age + parents.father_age_at_birth
    mother_alive, father_alive = (
        mother < parents.mother_death_age,
        father < parents.father_death_age,
    )
    band = in_band(snapshot, lo, hi)
    rows = []
    for label, who in (("cases", cao_broad_cases(snapshot) & band), ("everyone", band)):
        if not who.any():
            continue
        cells = [
            f"{np.mean(age[who]):.1f}",
            f"{np.mean(mother[who & mother_alive]):.1f}",
            f"{np.mean(father[who & father_alive]):.1f}",
            f"{np.mean(~father_alive[who]):.0%}",
            f"{np.mean(~mother_alive[who]):.0%}",
            f"{np.mean((~father_alive & ~mother_alive)[who]):.0%}",
            f"{np.mean((mother_alive & (mother >= 70) & (mother < 80))[who]):.0%}",
            f"{np.mean((mother_alive & (mother >= 80) & (mother < 90))[who]):.0%}",
            f"{np.mean(snapshot.oldest_parent_age[who] >= PARENT_OLD_AGE):.2f}",
        ]
        rows.append(
            f"| {date} | {lo}-{hi} | {label} ({np.count_nonzero(who)}) | "
            + " | ".join(cells)
            + " |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seed", type=int, default=None, help="run seed (the baseline's by default)"
    )
    args = parser.parse_args()
    model = HikiModel(Scenario(), seed=args.seed)
    print(
        "| date | ages | who (n) | mean age | mother's age | father's age | father died "
        "| mother died | both died | mother 70s | mother 80s | parent 75+ |"
    )
    print("|---" * 12 + "|")
    for date, lo, hi in CHECKS:
        week = model.calendar.week_of(date)
        while model.week <= week:
            model.step()
        for row in describe(model, date, lo, hi):
            print(row)


if __name__ == "__main__":
    main()
