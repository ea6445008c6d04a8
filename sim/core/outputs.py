"""Every output of a replicate, declared once: its daily series and its outcomes.

A :class:`Series` is recorded every day (day 0 included) from an attribute of the model;
an :class:`Outcome` is one value a replicate ends with. Everything else is generated
from these declarations: the model's daily record (:mod:`sim.model.model`), the
outcome row, the columns and Arrow types of
``runs.parquet`` and ``daily.parquet`` and their averages over replicates
(:mod:`sim.run.ensemble`), the events block of ``summary.json``
(:mod:`sim.analysis.estimates`), the page's reporters (:mod:`sim.app`) and the figure
labels (:mod:`sim.analysis.plots`).

Adding a daily series is one :class:`Series` line here (and a test); adding an outcome
is one :class:`Outcome` line.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, Literal

import numpy as np

from .dates import month_end_days, ordinal

# --------------------------------------------------------------------------- daily series


@dataclass(frozen=True)
class Series:
    """A daily series.

    ``read`` is a dotted attribute path on the model (read at the end of every day, all
    series in one ``operator.attrgetter`` call). ``averaged_over`` says which replicates
    ``daily.parquet`` averages it over each day: ``all`` of them, those whose truce is
    ``alive`` at the end of the day, or those ``at_risk`` (alive when the day began);
    alive means not yet broken by the headline definition (``definitions.headline``).
    """

    name: str
    label: str
    read: str
    averaged_over: Literal["all", "alive", "at_risk"]


SERIES: tuple[Series, ...] = (
    Series("trade_index", "trade index", "border.trade_index", "all"),
    Series("bilateral_usd", "bilateral trade, US$ a day", "border.bilateral_usd", "all"),
    Series("transit_usd", "transit trade, US$ a day", "border.transit_usd", "all"),
    Series("diverted", "share of trade diverted to other routes", "border.diverted_share", "all"),
    Series("trust_afg_in_pak", "Afghanistan's trust in Pakistan", "states.afg.trust", "alive"),
    Series("trust_pak_in_afg", "Pakistan's trust in Afghanistan", "states.pak.trust", "alive"),
    Series("grievance_afg", "Afghanistan's grievance", "states.afg.grievance", "alive"),
    Series("grievance_pak", "Pakistan's grievance", "states.pak.grievance", "alive"),
    Series("complicity_pak", "Pakistan's belief in Kabul's complicity", "states.pak.complicity", "alive"),
    Series("open_crossings", "open crossings", "border.open_crossings", "all"),
    Series("stranded_trucks", "stranded trucks", "border.stranded_trucks", "all"),
    Series("incidents", "incidents a day", "incidents_today", "all"),
    Series("retaliations", "state retaliations a day", "states.retaliations_today", "all"),
    Series("truce_holds", "truce holds (not broken down)", "truce.alive", "all"),
)
SERIES_NAMES = tuple(s.name for s in SERIES)
#: Columns of daily.parquet that combine two series' means: (name, the series averaged).
COMBINED_MEANS = (("grievance_mean", ("grievance_afg", "grievance_pak")),)

#: Today's values of every series, as one tuple (a single C-level call).
read_series: Callable[[Any], tuple] = attrgetter(*(s.read for s in SERIES))


def series(name: str) -> Series:
    return next(s for s in SERIES if s.name == name)


def series_reader(name: str) -> Callable[[Any], Any]:
    """Today's value of a series of a model (a lambda: Mesa's DataCollector calls other
    callables without the model)."""
    get = attrgetter(series(name).read)
    return lambda m: get(m)


def series_arrays(rows: list[tuple]) -> dict[str, np.ndarray]:
    """The recorded days (one tuple a day) as one array per series."""
    table = np.asarray(rows, dtype=float)
    return {s.name: table[:, j].copy() for j, s in enumerate(SERIES)}


# --------------------------------------------------------------------------- outcomes

DType = Literal["int64", "float64", "bool", "string"]


@dataclass(frozen=True)
class Column:
    """A column of runs.parquet: its name, Arrow type and meaning."""

    name: str
    dtype: DType
    label: str


@dataclass(frozen=True)
class Outcome(Column):
    """One value a replicate ends with: ``read(model, series)`` with the padded daily
    series. ``summary`` names the statistics of it that ``summary.json`` reports (key ->
    ``mean`` over replicates, ``share`` of replicates where it is set, ``median`` of the
    replicates where it is set)."""

    read: Callable[[Any, dict[str, np.ndarray]], Any] = field(default=lambda m, s: None)
    summary: dict[str, Literal["mean", "share", "median"]] = field(default_factory=dict)


def attr(path: str) -> Callable[[Any, dict[str, np.ndarray]], Any]:
    """A reader of the model's attribute at a dotted path."""
    get = attrgetter(path)
    return lambda m, s: get(m)


def first_day_at_least(values: np.ndarray, level: float) -> float:
    hits = np.flatnonzero(values >= level)
    return float(hits[0]) if hits.size else math.nan


def first_day_sustained(values: np.ndarray, level: float, days: int) -> float:
    """The first day from which ``values`` stay at or above ``level`` for ``days`` days in
    a row (that day included), all within the days run; NaN if there is none."""
    ok = np.concatenate(([0], np.cumsum(values >= level)))
    if len(values) < days:
        return math.nan
    full = np.flatnonzero(ok[days:] - ok[:-days] == days)
    return float(full[0]) if full.size else math.nan


def value_on_day(values: np.ndarray, day: int) -> float:
    return float(values[day]) if day < len(values) else math.nan


def nan_if_none(value: int | None) -> float:
    return math.nan if value is None else float(value)


def _headline_day(m: Any) -> float:
    return m.coded()[m.config.definitions.headline]


def _truce_days(m: Any, s: dict[str, np.ndarray]) -> int:
    day = _headline_day(m)
    return m.horizon if math.isnan(day) else int(day)


def coded(name: str) -> Callable[[Any, dict[str, np.ndarray]], Any]:
    """A reader of a value coded from the model's event log (:meth:`CeasefireModel.coded`)."""
    return lambda m, s: m.coded()[name]


def _loss_usd(which: str) -> Callable[[Any, dict[str, np.ndarray]], float]:
    """Trade lost against the pre-crisis flow, US$, from day 1 to the last day run (or to
    ``last``): bilateral, transit or both."""
    keys = ("bilateral", "transit") if which == "all" else (which,)

    def read(m: Any, s: dict[str, np.ndarray], last: int | None = None) -> float:
        sc = m.config.scenario
        end = m.day if last is None else last
        lost = 0.0
        for k in keys:
            baseline = getattr(sc, f"{k}_usd_per_day")
            lost += float((baseline - s[f"{k}_usd"][1 : end + 1]).sum())
        return lost

    return read


#: A recovery that means recovery: trade at or above this share of its baseline ...
RECOVERY_LEVEL = 0.9
#: ... for this many days in a row (``trade_days_to_90_sustained``).
SUSTAINED_DAYS = 30
#: Month ends at which each replicate's cumulative trade loss is kept (``trade_loss_usd_m01``
#: ...): the query's US$ lost by a date (sim/analysis/by_date.py) reads them.
MONTH_ENDS = 24


def month_loss_column(k: int) -> str:
    """The runs.parquet column of the cumulative trade loss by the ``k``-th month end (1-based)."""
    return f"trade_loss_usd_m{k:02d}"


def _loss_by_month_end(k: int) -> Callable[[Any, dict[str, np.ndarray]], float]:
    """Trade lost (bilateral and transit, US$) from day 1 to the ``k``-th month end; NaN
    beyond the days run."""
    total = _loss_usd("all")

    def read(m: Any, s: dict[str, np.ndarray]) -> float:
        day = month_end_days(m.config.scenario.start_date, MONTH_ENDS)[k - 1]
        return total(m, s, day) if day <= m.day else math.nan

    return read


#: Each replicate's cumulative trade loss at every month end (NaN beyond the horizon).
MONTH_LOSSES: tuple[Outcome, ...] = tuple(
    Outcome(
        month_loss_column(k),
        "float64",
        f"trade lost by the end of the {ordinal(k)} calendar month from day 0 on (its own month first: "
        "31 Oct 2025 from 19 Oct), US$; empty beyond the horizon",
        _loss_by_month_end(k),
    )
    for k in range(1, MONTH_ENDS + 1)
)

#: The replicate's identity: the first columns of runs.parquet.
REPLICATE_COLUMNS = (
    Column("replicate", "int64", "replicate number (0 to run.replicates - 1)"),
    Column("seed", "int64", "the replicate's seed (spawned from run.seed)"),
)

OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "truce_days",
        "int64",
        "days until the truce broke by the headline definition (definitions.headline); the horizon if it did not",
        _truce_days,
    ),
    Outcome(
        "collapsed",
        "bool",
        "the truce broke by the headline definition within the horizon",
        lambda m, s: not math.isnan(_headline_day(m)),
    ),
    Outcome("violation_day", "float64", "first lethal fire between the states' forces (coded)", coded("violation")),
    Outcome("breakdown_day", "float64", "first sustained interstate fighting (coded)", coded("breakdown")),
    Outcome("renunciation_day", "float64", "first government statement that the truce is over", coded("renunciation")),
    Outcome(
        "first_breakdown_day",
        "float64",
        "the model's truce first broke down (the governments' reading; not observable)",
        lambda m, s: nan_if_none(m.truce.collapse_day),
    ),
    Outcome(
        "collapse_cause",
        "string",
        "why the model's truce first broke down: hostilities, void_afghanistan or void_pakistan",
        attr("truce.cause"),
    ),
    Outcome("breakdowns", "int64", "times the model's truce broke down", attr("truce.breakdowns")),
    Outcome("renewals", "int64", "times a new truce was agreed or brokered", attr("truce.renewals")),
    Outcome(
        "truce_state",
        "string",
        "the truce at the horizon: holding, violated, broken_down, renewed",
        attr("truce.state.value"),
    ),
    Outcome(
        "state_fire_days",
        "int64",
        "days with fire between the states' forces (coded)",
        coded("state_fire_days"),
        {"state_fire_days_mean": "mean"},
    ),
    Outcome(
        "militant_attacks",
        "int64",
        "militant attacks (coded)",
        coded("militant_attacks"),
        {"militant_attacks_mean": "mean"},
    ),
    Outcome(
        "trade_days_to_50",
        "float64",
        "first day trade reached 50% of its baseline",
        lambda m, s: first_day_at_least(s["trade_index"], 0.5),
    ),
    Outcome(
        "trade_days_to_90",
        "float64",
        "first day trade reached 90% of its baseline",
        lambda m, s: first_day_at_least(s["trade_index"], 0.9),
    ),
    Outcome(
        "trade_days_to_90_sustained",
        "float64",
        f"first day from which trade stayed at or above {RECOVERY_LEVEL:.0%} of its baseline for {SUSTAINED_DAYS} days "
        "in a row (a recovery that lasts), within the horizon",
        lambda m, s: first_day_sustained(s["trade_index"], RECOVERY_LEVEL, SUSTAINED_DAYS),
    ),
    Outcome(
        "trade_share_day90",
        "float64",
        "trade on day 90 (17 Jan 2026), share of its baseline; empty if the horizon is shorter",
        lambda m, s: value_on_day(s["trade_index"], 90),
    ),
    Outcome(
        "trade_share_day180",
        "float64",
        "trade on day 180 (17 Apr 2026), share of its baseline; empty if the horizon is shorter",
        lambda m, s: value_on_day(s["trade_index"], 180),
    ),
    Outcome("trade_loss_usd", "float64", "trade lost against the pre-crisis flow, US$", _loss_usd("all")),
    Outcome("bilateral_loss_usd", "float64", "bilateral trade lost, US$", _loss_usd("bilateral")),
    Outcome("transit_loss_usd", "float64", "transit trade lost, US$", _loss_usd("transit")),
    Outcome(
        "diverted_end",
        "float64",
        "share of trade diverted to other routes at the end",
        attr("border.diverted_share"),
        {"diverted_end_mean": "mean"},
    ),
    Outcome("incidents", "int64", "incidents", attr("incidents"), {"incidents_mean": "mean"}),
    Outcome("detected", "int64", "detected by the mechanism", attr("monitor.detected"), {"detected_mean": "mean"}),
    Outcome(
        "misattributed",
        "int64",
        "blamed on the wrong party",
        attr("states.misattributed"),
        {"misattributed_mean": "mean"},
    ),
    Outcome(
        "retaliations",
        "int64",
        "deliberate strikes by a state (on the border, on militants, overt air strikes)",
        attr("states.retaliations"),
        {"retaliations_mean": "mean"},
    ),
    Outcome(
        "strikes_on_militants",
        "int64",
        "Pakistan's deniable strikes on militants inside Afghanistan",
        attr("states.strikes_on_militants"),
        {"strikes_on_militants_mean": "mean"},
    ),
    Outcome(
        "air_strikes",
        "int64",
        "Pakistan's overt air strikes on Afghan targets",
        attr("states.air_strikes"),
        {"air_strikes_mean": "mean"},
    ),
    Outcome(
        "crackdowns",
        "int64",
        "Kabul's crackdowns on the militants",
        attr("states.crackdowns"),
        {"crackdowns_mean": "mean"},
    ),
    Outcome(
        "trade_suspensions",
        "int64",
        "times Kabul suspended trade from its side",
        attr("border.suspensions"),
        {"trade_suspensions_mean": "mean"},
    ),
    Outcome(
        "high_profile_attacks",
        "int64",
        "high-profile (suicide or urban mass-casualty) militant attacks",
        attr("militants.high_profile"),
        {"high_profile_attacks_mean": "mean"},
    ),
    Outcome(
        "complicity_belief",
        "float64",
        "Pakistan's belief in Kabul's complicity at the horizon",
        attr("states.pak.complicity"),
        {"complicity_belief_mean": "mean"},
    ),
    Outcome("casualties", "int64", "casualties", attr("casualties"), {"casualties_mean": "mean"}),
    Outcome(
        "mvm_operational_day",
        "float64",
        "day the mechanism became operational",
        lambda m, s: nan_if_none(m.monitor.operational_since(m.day)),
        {"mvm_operational_share": "share", "mvm_operational_day_median": "median"},
    ),
    Outcome(
        "first_reopen_day",
        "float64",
        "day the crossings first reopened",
        lambda m, s: nan_if_none(m.border.first_reopen_day),
        {"reopened_share": "share", "first_reopen_day_median": "median"},
    ),
    Outcome(
        "principle_day",
        "float64",
        "day a round first agreed a text in principle (a framework: nothing set up)",
        lambda m, s: nan_if_none(m.talks.principle_day),
        {"principle_share": "share", "principle_day_median": "median"},
    ),
    Outcome(
        "modalities_day",
        "float64",
        "day a round first agreed modalities (the provisions then carried out or reneged)",
        lambda m, s: nan_if_none(m.talks.modalities_day),
        {"modalities_share": "share", "modalities_day_median": "median"},
    ),
    Outcome(
        "mvm_agreed_day",
        "float64",
        "day modalities first agreed a mechanism (it operates once set up: mvm_operational_day)",
        lambda m, s: nan_if_none(m.monitor.agreed_day),
        {"mvm_agreed_share": "share", "mvm_agreed_day_median": "median"},
    ),
    Outcome(
        "stage",
        "string",
        "the stage of the process at the horizon (ceasefire, principle, modalities)",
        attr("talks.stage"),
    ),
    Outcome(
        "ttp_steps_day",
        "float64",
        "day Kabul first carried out agreed TTP steps (a crackdown after the modalities)",
        lambda m, s: m.implementation.day_of("ttp_steps"),
        {"ttp_steps_share": "share", "ttp_steps_day_median": "median"},
    ),
    Outcome(
        "trade_terms_day",
        "float64",
        "day Pakistan first carried out agreed trade terms (the crossings reopened after the modalities)",
        lambda m, s: m.implementation.day_of("trade_terms"),
        {"trade_terms_share": "share", "trade_terms_day_median": "median"},
    ),
    Outcome(
        "provisions_reneged",
        "int64",
        "provisions of agreed modalities reneged",
        attr("implementation.reneged"),
        {"provisions_reneged_mean": "mean"},
    ),
    Outcome(
        "mvm_suspensions",
        "int64",
        "times an operating mechanism was suspended (a boycott, denied access)",
        attr("implementation.suspensions"),
        {"mvm_suspensions_mean": "mean"},
    ),
    Outcome("package", "string", "the package agreed and in force at the end", lambda m, s: m.talks.describe()),
    Outcome("texts", "int64", "texts put to the parties in all rounds", attr("talks.texts")),
    Outcome("rounds_agreed", "int64", "rounds that ended in agreement", attr("talks.agreed")),
    Outcome("rounds_salvaged", "int64", "rounds the mediators salvaged", attr("talks.salvaged")),
    Outcome("rounds_stalled", "int64", "rounds of talks about talks (no text on modalities)", attr("talks.stalled")),
    Outcome("rounds_failed", "int64", "rounds that broke down", attr("talks.failed")),
    *MONTH_LOSSES,
)
OUTCOME_NAMES = tuple(o.name for o in OUTCOMES)
#: Counters a running model can report at any day (the page's cumulative charts).
COUNTERS = (
    "incidents",
    "detected",
    "misattributed",
    "retaliations",
    "crackdowns",
    "casualties",
    "rounds_agreed",
    "rounds_salvaged",
    "rounds_stalled",
    "rounds_failed",
)

#: How the run was set up: the last columns of runs.parquet.
RUN_COLUMNS = (
    Column("parameter_row", "int64", "the row of parameters.table it took; -1 without one"),
    Column("record_match", "bool", "replayed history: does it still reproduce the record? null: no history"),
)
RUNS_COLUMNS: tuple[Column, ...] = (*REPLICATE_COLUMNS, *OUTCOMES, *RUN_COLUMNS)

#: The causes of the model's first breakdown (Truce.step): one count column each in sweep.parquet.
COLLAPSE_CAUSES = ("hostilities", "void_afghanistan", "void_pakistan")


def outcome_row(model: Any, series: dict[str, np.ndarray]) -> dict[str, Any]:
    """The outcome row of a finished model, given its padded daily series."""
    return {o.name: o.read(model, series) for o in OUTCOMES}


def outcome(name: str) -> Outcome:
    return next(o for o in OUTCOMES if o.name == name)


def counter_reader(name: str) -> Callable[[Any], Any]:
    """Today's value of a running counter (:data:`COUNTERS`) of a model."""
    read = outcome(name).read
    return lambda m: read(m, {})


# --------------------------------------------------------------------------- ensemble outputs

#: The two outputs of the sensitivity analysis (per design point, over its replicates).
SENSITIVITY_OUTPUTS = {
    "rmst_days": "restricted mean truce (days)",
    "trade90_days": "days to 90% trade (restricted mean)",
}
