"""Make a calibration's representative draw the default baseline.

    .venv/bin/python experiments/adopt_representative.py results/calib-japan/representative.toml
    .venv/bin/python -m hikisim.reference baseline > /tmp/baseline.toml
    mv /tmp/baseline.toml scenarios/baseline.toml
    .venv/bin/python -m hikisim.reference docs docs/model.md

The defaults of the calibrated parameters live in ``hikisim/scenario.py`` (each field's
first argument), and their descriptions name the draw they came from ("no. N"). This
rewrites both in place from ``representative.toml``, the overlay ``hikisim calibrate``
writes, so the shipped baseline is the draw the calibration reports (to the six
significant figures of that file). It refuses
a key it cannot place (a field name that is missing or appears twice) and writes nothing
then.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCENARIO_SOURCE = REPO / "hikisim" / "scenario.py"
DRAW_COMMENT = re.compile(r"draw (\d+)\)")
# "(no. N", also when a string literal breaks between "no." and the number.
DRAW_NAME = re.compile(r'(\(no\.(?: "\n\s*"| ))\d+')


def flatten(table: dict[str, object], prefix: str = "") -> dict[str, float]:
    """``{"dynamics": {"x": 1}}`` as ``{"dynamics.x": 1}``."""
    flat: dict[str, float] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = float(value)
    return flat


def set_default(source: str, field: str, value: float) -> str:
    """``source`` with the default of the one field called ``field`` set to ``value``.

    Raises:
        ValueError: If no field, or more than one, has that name.
    """
    pattern = re.compile(rf"^(\s+{re.escape(field)}: float = Field\(\n\s+)([^,\n]+)(,)", re.M)
    matches = pattern.findall(source)
    if len(matches) != 1:
        raise ValueError(f"{field}: {len(matches)} fields of that name in {SCENARIO_SOURCE.name}")
    return pattern.sub(lambda match: f"{match[1]}{value:.6g}{match[3]}", source)


def main() -> None:
    """Rewrite the calibrated defaults and the draw number in hikisim/scenario.py."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("representative", type=Path, help="a calibration's representative.toml")
    args = parser.parse_args()
    text = args.representative.read_text(encoding="utf-8")
    found = DRAW_COMMENT.search(text)
    if found is None:
        sys.exit(f"{args.representative}: no 'draw N)' in its first comment line")
    source = SCENARIO_SOURCE.read_text(encoding="utf-8")
    try:
        for key, value in flatten(tomllib.loads(text)).items():
            source = set_default(source, key.rsplit(".", 1)[1], value)
    except ValueError as error:
        sys.exit(str(error))
    source = DRAW_NAME.sub(lambda match: f"{match[1]}{found[1]}", source)
    SCENARIO_SOURCE.write_text(source, encoding="utf-8")
    print(f"set {SCENARIO_SOURCE.relative_to(REPO)} to draw {found[1]}")


if __name__ == "__main__":
    main()
