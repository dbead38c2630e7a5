"""Loading the scripts under ``experiments/`` (not a package) as modules, for tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def load_experiment_script(name: str) -> ModuleType:
    """Import ``experiments/<name>.py`` as the module ``name``.

    The module is registered in ``sys.modules`` before it runs, as an import would do,
    so that its dataclasses and pickled objects can find it.

    Args:
        name: The script's file name without ``.py``.

    Returns:
        The executed module.
    """
    spec = importlib.util.spec_from_file_location(name, EXPERIMENTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
