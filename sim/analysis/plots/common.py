"""What every figure shares: colours, dates on the axis, and the atomic write (Agg backend)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
from pathlib import Path  # noqa: E402

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ...core.io import atomic_path  # noqa: E402

BLUE, ORANGE, GREY, RED = "#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728"


def save_figure(fig: plt.Figure, path: Path) -> Path:
    """Write the figure atomically and free it."""
    try:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format="png", dpi=120, bbox_inches="tight")
    finally:
        plt.close(fig)
    return Path(path)


def _dates(start_date: str, days: np.ndarray) -> pd.DatetimeIndex:
    return pd.Timestamp(start_date) + pd.to_timedelta(days, unit="D")


def _date_axis(ax: plt.Axes) -> None:
    ax.xaxis.set_major_locator(mdates.MonthLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
