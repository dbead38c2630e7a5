"""hikisim: an agent-based simulation of hikikomori (extreme social withdrawal).

The public API is :func:`load_scenario`, :class:`HikiModel` and :func:`simulate`.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hikisim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

from hikisim.model import HikiModel
from hikisim.scenario import Scenario, load_scenario
from hikisim.simulation import simulate

__all__ = ["HikiModel", "Scenario", "__version__", "load_scenario", "simulate"]
