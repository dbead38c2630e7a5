"""Plain-language explanations, one per view, for people who are not modellers."""

from __future__ import annotations

import solara

EXPLANATIONS: dict[str, str] = {
    "status": (
        "Each step is one week in the lives of the youths aged 10 to 39. Change the "
        "controls on the left, then press **Reset** to start again with them; press "
        "**Step** for one week or **▶** to play."
    ),
    "network": (
        "Each dot is a young person; each grey line is a tie to a sibling, classmate, "
        "friend, neighbour or online contact. Colours show how each person is doing. "
        "When someone withdraws, their offline ties fade away week by week (faint "
        "orange lines), so their friends lose contact too: that is how withdrawal can "
        "spread."
    ),
    "timeseries": (
        "Left: how many youths are in each state, week by week. Right: the share with "
        "hikikomori (withdrawn at least six months, counted among ages 15 to 39, as the "
        "national surveys do) next to three warning signs: refusing school, internet "
        "addiction and sleeping by day."
    ),
    "episodes": (
        "Everyone who has hikikomori right now, grouped by how long it has lasted. Long "
        "bars on the right mean that, once withdrawn, people stay withdrawn for years. "
        "*Secondary* cases also have a psychiatric disorder (such as depression or social "
        "anxiety) and need clinical care; *primary* cases do not, and need social support."
    ),
    "comparison": (
        "Two copies of the same town, with the same people and the same luck, run side "
        "by side: one with the interventions switched on in the sidebar and one without. "
        "Any gap between them is what the interventions changed. *Averted* counts the "
        "cases and the years of withdrawal that the interventions prevented so far."
    ),
}


@solara.component
def Explanation(view: str) -> None:  # noqa: N802 - Solara components are CamelCase
    """The explanation for ``view``, in small print under its figure."""
    solara.Markdown(EXPLANATIONS[view], style={"font-size": "0.85rem", "line-height": "1.3"})
