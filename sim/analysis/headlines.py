"""The headline numbers of a forecast, each with its 95% interval, read from a run's
summary (``summary.json``: sim/analysis/estimates.py): what the brief shows and what
``origins.csv`` follows from one origin to the next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    short: str  # for a chart's title and a change ("no breakdown by day 90 +0.05")
    unit: str  # "probability" or "days"
    path: tuple  # where it is in summary.json: keys, then a survival day

    def read(self, summary: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
        """(value, lower, upper); None where the run did not reach it."""
        node: Any = summary
        *keys, last = self.path
        for k in keys:
            node = node.get(k, {}) if isinstance(node, dict) else {}
        if self.unit == "probability":
            point = (
                next((s for s in node.get("survival", []) if s["days"] == last), None)
                if isinstance(node, dict)
                else None
            )
            return (None, None, None) if point is None else (point["p"], point["lower"], point["upper"])
        node = node.get(last, {}) if isinstance(node, dict) else {}
        return node.get("median"), node.get("lower"), node.get("upper")


HEADLINES = (
    Headline(
        "holds_90",
        "P(no breakdown by day 90, 17 Jan 2026)",
        "no breakdown by day 90",
        "probability",
        ("truce", "definitions", "breakdown", 90),
    ),
    Headline(
        "holds_365",
        "P(no breakdown by day 365, 19 Oct 2026)",
        "no breakdown by day 365",
        "probability",
        ("truce", "definitions", "breakdown", 365),
    ),
    Headline(
        "no_renunciation_90",
        "P(no government renounces the truce by day 90)",
        "no renunciation by day 90",
        "probability",
        ("truce", "definitions", "renunciation", 90),
    ),
    Headline(
        "no_state_fire_90",
        "P(no fire between the states' forces by day 90)",
        "no state fire by day 90",
        "probability",
        ("truce", "definitions", "violation", 90),
    ),
    Headline(
        "trade_half",
        "days until trade is back to half its level (median)",
        "trade at half, days",
        "days",
        ("trade", "days_to_50"),
    ),
)


def rows(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """Every headline of a summary as a row: key, label, unit, value, lower, upper."""
    out = []
    for h in HEADLINES:
        value, lower, upper = h.read(summary)
        out.append(
            {
                "key": h.key,
                "label": h.label,
                "short": h.short,
                "unit": h.unit,
                "value": value,
                "lower": lower,
                "upper": upper,
            }
        )
    return out
