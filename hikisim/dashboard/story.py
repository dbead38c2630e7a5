"""The story of one person, and of the town, told one week at a time in plain words.

A :class:`Snapshot` keeps what a narration needs from one week: every youth's state,
care and active offline ties, and which families have sought help. Comparing this
week's snapshot with the last one gives the events of the narration line, such as
"Week 37: a 17-year-old stopped going out; 12 ties were lost; 2 families asked for help."
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hikisim.dashboard.i18n import tr
from hikisim.dashboard.style import STATE_KEYS
from hikisim.model import HikiModel
from hikisim.network import TieKind
from hikisim.states import WEEKS_PER_YEAR, Care, State

ADULT_AGE = 18
STATE_EVENTS: dict[State, str] = {
    State.AT_RISK: "story_at_risk",
    State.WITHDRAWN: "story_withdrew",
    State.RECOVERING: "story_recovering",
    State.ENGAGED: "story_engaged",
}


@dataclass(frozen=True)
class Snapshot:
    """What one week looked like, for narration.

    Attributes:
        week: The horizon week.
        person: Identity of each seat's occupant (a seat is reused when someone ages out).
        state: State of each youth.
        care: Care code of each youth.
        offline_ties: Active offline ties of each youth.
        sought_help: Whether each family has sought help.
    """

    week: int
    person: np.ndarray
    state: np.ndarray
    care: np.ndarray
    offline_ties: np.ndarray
    sought_help: np.ndarray

    @classmethod
    def of(cls, model: HikiModel) -> Snapshot:
        """Take the snapshot of a model's current week."""
        youths, network = model.population.youths, model.network
        offline = network.active & (network.kind != TieKind.ONLINE)
        ties = np.bincount(network.entry_row[offline], minlength=len(youths))
        return cls(
            week=model.horizon_week,
            person=youths.person_id.copy(),
            state=youths.state.copy(),
            care=youths.care.copy(),
            offline_ties=ties,
            sought_help=model.population.families.sought_help.copy(),
        )


def town_news(before: Snapshot, after: Snapshot, model: HikiModel) -> str:
    """The town's week in one line: who withdrew, ties lost, families asking, recoveries."""
    same = before.person == after.person
    withdrew = np.flatnonzero(
        same & (after.state == State.WITHDRAWN) & (before.state != State.WITHDRAWN)
    )
    lost = int(np.maximum(before.offline_ties - after.offline_ties, 0)[same].sum()) // 2
    asked = int(np.count_nonzero(after.sought_help & ~before.sought_help))
    recovered = int(
        np.count_nonzero(same & (after.state == State.ENGAGED) & (before.state == State.RECOVERING))
    )
    events = []
    if len(withdrew) == 1:
        age = int(model.population.youths.age_weeks[withdrew[0]] // WEEKS_PER_YEAR)
        events.append(tr("news_withdrew_one", age=age))
    elif len(withdrew) > 1:
        events.append(tr("news_withdrew", n=len(withdrew)))
    for count, key in ((lost, "news_lost"), (asked, "news_help"), (recovered, "news_recovered")):
        if count:
            events.append(tr(f"{key}_one") if count == 1 else tr(key, n=count))
    quiet = tr("news_nothing" if after.week - before.week == 1 else "news_nothing_weeks")
    return tr("news_week", when=when(before, after), events="; ".join(events) or quiet)


def when(before: Snapshot, after: Snapshot) -> str:
    """The weeks between two snapshots: "Week 5" after a step, "Weeks 1–52" after a jump."""
    if after.week - before.week == 1:
        return tr("when_week", week=after.week)
    return tr("when_weeks", first=before.week + 1, last=after.week)


def person_news(before: Snapshot, after: Snapshot, seat: int, model: HikiModel) -> str:
    """What happened to one person since the last snapshot, in one line."""
    events = []
    if after.state[seat] != before.state[seat]:
        events.append(tr(STATE_EVENTS[State(after.state[seat])]))
    lost = int(before.offline_ties[seat] - after.offline_ties[seat])
    if lost > 0:
        events.append(tr("story_lost_one") if lost == 1 else tr("story_lost", n=lost))
    family = model.population.youths.family[seat]
    if after.sought_help[family] and not before.sought_help[family]:
        events.append(tr("story_help"))
    if after.care[seat] != Care.NONE and before.care[seat] == Care.NONE:
        events.append(tr("story_care"))
    if not events:
        return tr("story_quiet", when=when(before, after))
    return tr("story_week", when=when(before, after), events="; ".join(events))


def sex_key(male: bool, age: int) -> str:
    """The string key for a boy, man, girl or woman."""
    if male:
        return "sex_boy" if age < ADULT_AGE else "sex_man"
    return "sex_girl" if age < ADULT_AGE else "sex_woman"


def describe(model: HikiModel, seat: int) -> str:
    """Who the followed person is: age, sex, state, and the ties they still have and lost.

    Ties still active are counted by kind; lost ties are the offline ones withdrawal cut
    (an inactive online tie is one never taken up, not one lost).
    """
    youths = model.population.youths
    network = model.network
    entries = np.flatnonzero(network.entry_row == seat)
    kinds, active = network.kind[entries], network.active[entries]
    age = int(youths.age_weeks[seat] // WEEKS_PER_YEAR)
    return tr(
        "story_who",
        age=age,
        sex=tr(sex_key(bool(youths.male[seat]), age)),
        state=tr(f"state_{STATE_KEYS[State(youths.state[seat])]}"),
        # The others of the person's family among the town's people (parents are not).
        siblings=int(np.count_nonzero(youths.family == youths.family[seat])) - 1,
        classmates=int(np.count_nonzero(active & (kinds == TieKind.CLASSMATE))),
        friends=int(np.count_nonzero(active & (kinds != TieKind.CLASSMATE))),
        lost=int(np.count_nonzero(~active & (kinds != TieKind.ONLINE))),
    )


def someone_who_withdraws(model: HikiModel) -> int | None:
    """A person worth following: the one who withdrew most recently, else one at risk.

    Their ties are still there to fade, so the class sees them go week by week.
    """
    youths = model.population.youths
    withdrawn = np.flatnonzero(youths.state == State.WITHDRAWN)
    if len(withdrawn):
        return int(withdrawn[np.argmin(youths.withdrawn_weeks[withdrawn])])
    at_risk = np.flatnonzero(youths.state == State.AT_RISK)
    return int(at_risk[0]) if len(at_risk) else None
