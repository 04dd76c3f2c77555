"""localities: locality planning for Scottish Community Planning Partnerships."""

from .errors import DataError, DownloadError, LocalitiesError, PlanError
from .load import councils, load_boundaries, load_datazones, load_lookup, load_population, load_zones_2022
from .sources import attribution, download

__version__ = "0.1.0"
from .build import Plan, plan_from_assignment, propose
from .plans import read_plan
from .regulation import Report, check, quality
from .outcomes import SIMD, Indicator, aggregate, read_indicator, scotland_sums, summarise
from .rank import compare, inequality, masked_pockets, rank
from .maps import explore, plot_map, plot_poorer, save_figure, save_html
