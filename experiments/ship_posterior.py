"""Ship a calibration's posterior with the package, and for a regional fit, its preset.

    .venv/bin/python experiments/ship_posterior.py results/calib-japan japan
    .venv/bin/python experiments/ship_posterior.py results/calib-hong-kong hong_kong \\
        --preset scenarios/presets/hong_kong.toml \\
        --description "Hong Kong (a transfer of the Japanese model; Wong et al. 2015)"

The posterior goes to ``hikisim/data/posteriors/NAME.parquet`` unchanged (so
``hikisim.calibration.load_posterior(NAME)`` returns exactly ``posterior.parquet``). A
preset is a scenario that extends the baseline with the fit's representative draw.
"""

from __future__ import annotations

import argparse
import shutil
import tomllib
from pathlib import Path

from hikisim.calibration import load_posterior

REPO = Path(__file__).resolve().parents[1]


def preset_text(calibration: Path, name: str, description: str, preset: Path) -> str:
    """A scenario file: the baseline plus the representative draw of a regional fit."""
    meta = load_posterior(path=calibration / "posterior.parquet").attrs["hikisim"]
    overlay = (calibration / "representative.toml").read_text(encoding="utf-8")
    tomllib.loads(overlay)  # refuse to write a preset from a broken overlay
    baseline = Path("..") / "baseline.toml" if preset.parent.name == "presets" else "baseline.toml"
    body = "\n".join(line for line in overlay.splitlines() if not line.startswith("#"))
    return (
        f"# {description}\n"
        "# A TRANSFER: the Japanese model's structure (school system, calendar drivers, age\n"
        "# make-up) with the parameters below refitted to this setting's own survey figure;\n"
        f"# every other value is the Japanese baseline's. Posterior: load_posterior({name!r});\n"
        f"# a PSA of this setting draws from it with: hikisim compare ... --posterior {name}\n"
        f"# Fitted by: {meta.get('command', '')}\n"
        f"# Representative draw {meta.get('representative_draw')} (nearest the posterior median).\n"
        f'extends = "{baseline.as_posix()}"\n'
        f'name = "{name}"\n'
        f'description = "{description}"\n'
        f"{body}\n"
    )


def main() -> None:
    """Copy the posterior into the package and write the preset, if asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calibration", type=Path, help="a hikisim calibrate --out folder")
    parser.add_argument("name", help="the posterior's name, e.g. japan or hong_kong")
    parser.add_argument("--preset", type=Path, help="write a scenario preset here")
    parser.add_argument("--description", default="", help="the preset's description")
    args = parser.parse_args()
    source = args.calibration / "posterior.parquet"
    load_posterior(path=source)  # refuse anything that is not a posterior
    target = REPO / "hikisim" / "data" / "posteriors" / f"{args.name}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    print(f"wrote {target.relative_to(REPO)}")
    if args.preset is not None:
        args.preset.parent.mkdir(parents=True, exist_ok=True)
        text = preset_text(args.calibration, args.name, args.description, args.preset)
        args.preset.write_text(text, encoding="utf-8")
        print(f"wrote {args.preset}")


if __name__ == "__main__":
    main()
