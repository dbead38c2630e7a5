"""Backwards-compatible names: the programmes now live in :mod:`hikisim.programmes`.

``from hikisim.interventions import REGISTRY`` keeps working for code written before the
programmes had a subpackage of their own. New code imports :mod:`hikisim.programmes`.
"""

from hikisim.programmes import *  # noqa: F403 - re-export every public name, nothing more
from hikisim.programmes import __all__ as __all__
