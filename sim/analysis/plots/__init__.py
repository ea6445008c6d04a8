"""The figures: every function takes what it draws and a path, writes a PNG atomically
(Agg backend) and returns the path. One ensemble's (:mod:`.run`), a sweep's (:mod:`.sweeps`),
the studies' (:mod:`.studies`); what they share (:mod:`.common`).
"""

from .common import BLUE, GREY, ORANGE, RED, save_figure
from .run import dynamics_plot, survival_plot, trade_plot
from .studies import (
    boxes_plot,
    cart_plot,
    forecast_comparison_plot,
    morris_plot,
    peeling_plot,
    posterior_plot,
    robustness_plot,
    sobol_plot,
    voi_plot,
)
from .sweeps import (
    MAX_BANDS,
    MAX_CURVES,
    comparison_plot,
    forest_plot,
    pick_points,
    sweep_heatmap,
    sweep_survival_plot,
    sweep_trade_plot,
)

__all__ = [
    "BLUE",
    "GREY",
    "MAX_BANDS",
    "MAX_CURVES",
    "ORANGE",
    "RED",
    "boxes_plot",
    "cart_plot",
    "comparison_plot",
    "dynamics_plot",
    "forecast_comparison_plot",
    "forest_plot",
    "morris_plot",
    "peeling_plot",
    "pick_points",
    "posterior_plot",
    "robustness_plot",
    "save_figure",
    "sobol_plot",
    "survival_plot",
    "sweep_heatmap",
    "sweep_survival_plot",
    "sweep_trade_plot",
    "trade_plot",
    "voi_plot",
]
