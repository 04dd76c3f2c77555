"""localities: locality planning for Scottish Community Planning Partnerships.

The public names are imported on first use (PEP 562), so ``import localities`` and
``localities --help`` stay light: geopandas, libpysal and matplotlib are loaded only
by the functions that need them.
"""

from __future__ import annotations

import importlib
import sys
import types

from .errors import DataError, DownloadError, LocalitiesError, PlanError

__version__ = "0.1.0"

# Public name -> submodule that defines it. Add new public functions here.
_LAZY: dict[str, str] = {
    # load
    "councils": "load", "load_boundaries": "load", "load_datazones": "load", "load_lookup": "load",
    "load_population": "load", "load_zones_2022": "zones2022", "resolve_council": "council_names",
    # sources
    "attribution": "sources", "download": "sources",
    # build and plans
    "Plan": "plans", "plan_from_assignment": "build", "propose": "build", "read_plan": "plans",
    # regulation
    "Report": "regulation", "check": "regulation", "quality": "regulation",
    # outcomes
    "SIMD": "outcomes", "Indicator": "outcomes", "aggregate": "outcomes", "read_indicator": "outcomes",
    "scotland_sums": "scotland", "summarise": "outcomes",
    # ranking
    "compare": "rank", "inequality": "inequality", "masked_pockets": "inequality", "rank": "rank",
    # comparing plans, ensembles
    "compare_plans": "comparison", "PlanComparison": "comparison", "ensemble": "ensemble", "Ensemble": "ensemble",
    # maps
    "plot_map": "maps", "plot_poorer": "maps", "save_figure": "maps",
    "explore": "webmap", "save_html": "webmap",
    # profiles
    "profile": "profile", "save_profiles": "profile",
}

__all__ = ["DataError", "DownloadError", "LocalitiesError", "PlanError", "__version__", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'localities' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # cache: later lookups do not come back here
    return value


def __dir__() -> list[str]:
    # What tab completion offers: the public names, not this file's imports (importlib, sys).
    return sorted(__all__)


class _Package(types.ModuleType):
    """Keeps public functions from being replaced by the submodule of the same name.

    Importing the submodule ``localities.rank`` makes Python bind it as the package
    attribute ``rank``, which would hide the function ``localities.rank``; the module
    stays reachable through ``sys.modules`` and ``from localities.rank import ...``.
    """

    def __setattr__(self, name: str, value) -> None:
        if isinstance(value, types.ModuleType) and _LAZY.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
