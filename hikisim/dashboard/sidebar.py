"""The sidebar: language, scenario picker, run buttons, speed, programmes and sliders.

Every slider shows its value with its unit beside its label, so a class can read the
setting off the projector without touching it. Technical settings (seed, warm-up)
sit behind "Advanced".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import solara

from hikisim.dashboard import controls
from hikisim.dashboard.i18n import LANGUAGES, language, number, tr
from hikisim.dashboard.session import JUMP_YEARS, SPEEDS, Session
from hikisim.dashboard.strings import PROGRAMMES

ADVANCED = ("seed", "burn_in_years")


def value_text(spec: dict[str, Any], value: float) -> str:
    """A slider's value with its unit, such as ``25 %``, ``weight ×1.50`` or ``1000 youths``."""
    unit = spec.get("unit", "weight")
    if unit == "share":
        return tr("unit_share", n=number(100 * value, ".0f"))
    if unit == "youths":
        return tr("unit_youths", n=number(int(value), ","))
    if unit == "years":
        return tr("unit_years", n=int(value))
    if unit == "level":
        return tr("unit_level", n=number(value, ".2f"))
    return tr("unit_weight", n=number(value, ".2f"))


@solara.component
def LabelledSlider(  # noqa: N802 - Solara components are CamelCase
    name: str, spec: dict[str, Any], value: float, on_value: Callable[[Any], None]
) -> None:
    """A slider with its translated label and its current value and unit above it."""
    with solara.Div(classes=["hikisim-control", f"hikisim-control-{name}"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span>{tr('ctl_' + name)}</span>"
                f'<span class="hikisim-control-value">{value_text(spec, value)}</span>'
            ),
            classes=["hikisim-control-label", f"hikisim-label-{name}"],
        )
        slider = solara.SliderInt if spec["type"] == "SliderInt" else solara.SliderFloat
        # A file's value past a slider's usual range widens the range. Sent to the
        # browser together, the value would be clamped to the old range there and sent
        # back as a change; keyed by its range, the slider is made anew with both.
        slider(
            label="",
            value=value,
            min=spec["min"],
            max=spec["max"],
            step=spec["step"],
            on_value=on_value,
            thumb_label=False,
        ).key(f"slider-{name}-{spec['min']}-{spec['max']}")


@solara.component
def RunButtons(session: Session, state: tuple, act: Callable[[str], None]) -> None:  # noqa: N802
    """Reset, Step, Play or Pause, the jumps and the speed choice.

    Args:
        session: The class's session.
        state: The session's :meth:`~Session.control_state`; the session object itself
            stays the same, so without it Solara would see no reason to redraw.
        act: Runs a named action.
    """
    busy = session.busy is not None
    with solara.Row(gap="4px", classes=["hikisim-run-buttons"]):
        solara.Button(tr("reset"), on_click=lambda: act("reset"), disabled=busy, color="primary")
        solara.Button(tr("step"), on_click=lambda: act("step"), disabled=busy or session.playing)
        solara.Button(
            tr("pause") if session.playing else tr("play"),
            on_click=lambda: act("play"),
            disabled=busy,
            classes=["hikisim-play"],
        )
    with solara.Row(gap="4px"):
        for years in JUMP_YEARS:
            solara.Button(
                tr(f"jump_{years}"),
                on_click=lambda years=years: act(f"jump_{years}"),
                disabled=busy or session.playing,
            )
    with solara.Row(gap="6px", style={"align-items": "center"}):
        solara.Text(tr("speed"))
        with solara.ToggleButtonsSingle(
            value=session.speed, on_value=lambda speed: act(f"speed_{speed}"), dense=True
        ):
            for name in SPEEDS:
                solara.Button(tr(f"speed_{name}"), value=name, classes=[f"hikisim-speed-{name}"])


@solara.component
def Sidebar(  # noqa: N802 - Solara components are CamelCase
    session: Session,
    state: tuple,
    act: Callable[[str], None],
    set_value: Callable[[str, Any], None],
) -> None:
    """Every control of the page.

    Args:
        session: The class's session.
        state: The session's :meth:`~Session.control_state`, so the controls redraw
            when it changes and only then.
        act: Runs a named action: ``reset``, ``step``, ``play``, ``jump_1``, ``jump_5``,
            ``speed_<name>``, ``defaults``, ``follow``, ``unfollow`` or ``pick:<file>``.
        set_value: Called with a control's name and new value.
    """
    params = solara.use_memo(
        lambda: controls.model_params(controls.load_preset(session.file_name), session.file_name),
        dependencies=[session.file_name],
    )
    codes = {name: code for code, name in LANGUAGES.items()}
    solara.Select(
        label=tr("language"),
        value=LANGUAGES[language.value],
        values=list(codes),
        on_value=lambda name: language.set(codes[name]),
        dense=True,
    )
    # The browser shows the file it picked even when loading it failed, and the value
    # sent back has not changed; a new key makes a new picker showing the running file.
    solara.Select(
        label=tr("scenario"),
        value=session.file_name,
        values=controls.scenario_files(),
        on_value=lambda name: act(f"pick:{name}"),
        dense=True,
    ).key(f"scenario-picker-{session.refused_picks}")
    if session.picker_error:
        solara.Error(tr("picker_error", error=session.picker_error))
    RunButtons(session, state, act)
    solara.Button(
        tr("restore_defaults"),
        on_click=lambda: act("defaults"),
        text=True,
        small=True,
        icon_name="mdi-restore",
    )
    LabelledSlider(
        "youths",
        params["youths"],
        session.values["youths"],
        lambda value: set_value("youths", value),
    )
    solara.HTML(tag="h4", unsafe_innerHTML=tr("programmes"))
    lang = language.value
    for name in controls.intervention_names():
        param = controls.intervention_param(name)
        solara.Checkbox(
            label=PROGRAMMES[lang][name],
            value=bool(session.values[param]),
            on_value=lambda checked, param=param: set_value(param, checked),
        )
    solara.HTML(tag="h4", unsafe_innerHTML=tr("risk_factors"))
    group = ""
    for control in controls.FACTOR_CONTROLS:
        if control.group != group:
            group = control.group
            solara.HTML(tag="h5", unsafe_innerHTML=tr(f"group_{group}"))
        name = control.param_name
        LabelledSlider(
            name,
            params[name],
            session.values[name],
            lambda value, name=name: set_value(name, value),
        )
    with solara.Details(tr("advanced")):
        solara.InputText(
            tr("ctl_seed"),
            value=str(session.values["seed"]),
            on_value=lambda text: set_value("seed", text),
        )
        LabelledSlider(
            "burn_in_years",
            params["burn_in_years"],
            session.values["burn_in_years"],
            lambda value: set_value("burn_in_years", value),
        )
