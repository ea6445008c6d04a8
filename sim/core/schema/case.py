"""The run settings and the case: the calendar, the two states' starting points, the
crossings (case-facts.md), the coded definitions of a broken truce, and the parameter
table the replicates draw from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigError
from .knobs import knob


@dataclass(frozen=True)
class RunConfig:
    replicates: int = knob("independent replicates", lo=1, hi=10_000_000, source="run setting")
    horizon_days: int = knob(
        "days simulated after day 0 (19 Oct 2025)", lo=1, hi=3650, unit="days", source="run setting"
    )
    seed: int = knob("master seed; replicate seeds are spawned from it", lo=0, hi=2**63 - 1, source="run setting")
    n_jobs: int = knob("worker processes; -1 = all cores", lo=-1, hi=1024, forbid=(0,), source="run setting")
    chunk_size: int = knob(
        "replicates per task (results do not depend on n_jobs)", lo=1, hi=100_000, source="run setting"
    )
    progress: bool = knob("progress bar when attached to a terminal", source="run setting")
    overwrite: bool = knob(
        "replace a run of another configuration in the output folder (only the files runs write are removed; "
        "a folder that is not a run folder is refused either way); false: refuse such a folder",
        source="run setting",
    )
    figures: bool = knob(
        "write survival.png, trade.png and dynamics.png (false for the many points of a design)", source="run setting"
    )
    events: bool = knob(
        "write events.parquet, every replicate's event log (false for huge runs; the outcomes are coded either way)",
        source="run setting",
    )
    by: list[str] = knob(
        "dates (YYYY-MM-DD) or day numbers the printout answers for, as python -m sim.query does: P(truce holds) by "
        "each definition, trade that day, US$ lost by then (e.g. run.by=[2026-01-31]); it changes no result",
        source="run setting",
    )


SCENARIO_SOURCE = "case-facts.md"


@dataclass(frozen=True)
class Round:
    name: str = knob("name of the round", source="label")
    start_day: int = knob("first day of the round", lo=0, hi=3650, unit="day")
    end_day: int = knob("day the round ends with its outcome", lo=0, hi=3650, unit="day")

    def __post_init__(self) -> None:
        if self.end_day < self.start_day:
            raise ConfigError(f"round '{self.name}': end_day ({self.end_day}) is before start_day ({self.start_day}).")


@dataclass(frozen=True)
class StateInit:
    trust: float = knob(
        "initial trust in the other state",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="both accuse each other of bad faith, trust very low (seed article); magnitude assumption",
        calibrated=True,
    )
    grievance: float = knob(
        "initial grievance against the other state",
        lo=0,
        hi=1,
        sa=(0.3, 0.9),
        source="a week of fighting, 70+ killed (AFP, seed article); magnitude assumption",
        calibrated=True,
    )
    grievance_floor: float = knob(
        "Richardson g: the grievance fatigue decays towards",
        lo=0,
        hi=1,
        sa=(0.0, 0.4),
        source="Richardson arms-race form (g); magnitude assumption",
        calibrated=True,
    )
    domestic_pressure: float = knob(
        "initial domestic pressure to answer attacks", lo=0, hi=1, sa=(0.1, 0.7), calibrated=True
    )
    trade_dependence: float = knob(
        "weight of trade losses in economic pressure",
        lo=0,
        hi=1,
        source="Afghan imports US$150 m/month vs exports 60 m (didpress.com 21141); Afghanistan landlocked",
    )
    blame_bias: float = knob(
        "chance of blaming the other state for an unverified militant attack",
        lo=0,
        hi=1,
        sa=(0.2, 0.9),
        source="stated positions: Pakistan says Kabul harbours the TTP (seed article); magnitude assumption",
        calibrated=True,
    )
    effort: float = knob("base effort to suppress militants on its soil", lo=0, hi=1, sa=(0.0, 0.5), calibrated=True)
    capability: float = knob(
        "capability to restrain the militants on its soil: the most a crackdown can do",
        lo=0,
        hi=1,
        sa=(0.1, 0.9),
        source=(
            "Kabul: it 'cannot prevent attacks inside Pakistan' (state TV, 28 Oct 2025); Pakistan: it must 'regain "
            "control' (Business Recorder, 27 Oct); magnitude assumption"
        ),
        calibrated=True,
    )
    belief_capability: float = knob(
        "belief that the other government can restrain the militants on its soil (Kydd & Walter 2002)",
        lo=0,
        hi=1,
        sa=(0.3, 1.0),
        source="Pakistan: fugitives must be handed over, sanctuaries dismantled (record-to-5nov.md sec. 2); assumption",
        calibrated=True,
    )
    belief_complicity: float = knob(
        "initial belief that the other government lets the militants act (harbours them)",
        lo=0,
        hi=1,
        sa=(0.4, 1.0),
        source="Pakistan: 'Kabul harbours the TTP' (seed article; Asif, 31 Oct 2025); magnitude assumption",
        calibrated=True,
    )


@dataclass(frozen=True)
class CrossingInit:
    trucks_per_day: float = knob(
        "baseline trucks a day",
        lo=1,
        hi=100_000,
        unit="trucks/day",
        source="3-day counts (globalnewsviews.com) scaled so Ghulam Khan = 500/day (wesal.info)",
    )
    backlog: float = knob(
        "stranded trucks on day 0",
        lo=0,
        hi=1_000_000,
        unit="trucks",
        source=(
            "4,000-5,000 vehicles on the Torkham road (dawn.com 1951409); 357 at Chaman (mnnnews.online); split assumed"
        ),
    )


@dataclass(frozen=True)
class ScenarioConfig:
    name: str = knob("scenario name", source="label")
    start_date: str = knob(
        "calendar date of day 0", source="Doha ceasefire 19 Oct 2025 (seed article; menafn.com/1110215738)"
    )
    bilateral_usd_per_day: float = knob(
        "pre-crisis bilateral trade across the border",
        lo=0,
        hi=1e10,
        unit="US$/day",
        source="FY2024-25 bilateral trade US$1.998 bn / 365 (nukta.com; case-facts.md)",
    )
    transit_usd_per_day: float = knob(
        "pre-crisis Afghan transit trade through Pakistan",
        lo=0,
        hi=1e10,
        unit="US$/day",
        source="FY2024-25 transit trade US$0.974 bn / 365 (nukta.com; case-facts.md)",
    )
    closed_days: int = knob(
        "days every crossing had been shut for trade on day 0",
        lo=0,
        hi=3650,
        unit="days",
        source="all crossings closed 11-12 Oct 2025, 7 days before the ceasefire (ariananews.af; case-facts.md)",
    )
    closure_cause: Literal["leverage", "local"] = knob(
        "why the crossings are shut on day 0: leverage (a demand: they reopen when it is met or the cost is too "
        "high, crossings.reopen_rule) or local (a dispute over a gate, a post, travel papers: settled locally, "
        "crossings.local_settlement_rate)",
        source=(
            "October 2025: trade closed 'till the evaluation of the security situation', tied to action against "
            "the TTP (record sec. 3): leverage; 2017: a list of 76 militants: leverage; Feb 2023, Sep 2023, "
            "Feb-Mar 2025: local (case-facts.md)"
        ),
    )
    rounds: list[Round] = knob(
        "scheduled rounds of talks", source="Istanbul 25-30 Oct (trtworld.com), 6 Nov 2025 (seed article)"
    )
    afghanistan: StateInit = knob("Afghanistan (Taliban government)")
    pakistan: StateInit = knob("Pakistan")
    crossings: dict[str, CrossingInit] = knob("border crossings", source=SCENARIO_SOURCE)

    def __post_init__(self) -> None:
        import datetime

        try:
            datetime.date.fromisoformat(self.start_date)
        except ValueError:
            raise ConfigError(f"scenario.start_date: '{self.start_date}' is not a date; use YYYY-MM-DD.") from None
        if not self.crossings:
            raise ConfigError("scenario.crossings: at least one crossing is needed.")
        days = [r.end_day for r in self.rounds]
        if days != sorted(days):
            raise ConfigError("scenario.rounds: rounds must be listed in calendar order.")


@dataclass(frozen=True)
class DefinitionsConfig:
    headline: Literal["violation", "breakdown", "renunciation"] = knob(
        "the definition of a broken truce that truce_days, the headline survival and the comparisons use",
        source="label",
    )
    violation_fatalities: int = knob(
        "violation: people killed by fire between the states' forces", lo=1, hi=1000, source="coding rule"
    )
    breakdown_deaths: int = knob(
        "breakdown: deaths from fire between the states' forces within breakdown_deaths_window",
        lo=1,
        hi=100_000,
        source="UCDP's 25 battle-related deaths (Gleditsch et al. 2002)",
    )
    breakdown_deaths_window: int = knob(
        "breakdown: the window for breakdown_deaths", lo=1, hi=3650, unit="days", source="coding rule"
    )
    breakdown_fire_days: int = knob(
        "breakdown: days with fire between the states' forces within breakdown_fire_window",
        lo=1,
        hi=3650,
        source="coding rule",
    )
    breakdown_fire_window: int = knob(
        "breakdown: the window for breakdown_fire_days", lo=1, hi=3650, unit="days", source="coding rule"
    )

    def __post_init__(self) -> None:
        if self.breakdown_fire_days > self.breakdown_fire_window:
            raise ConfigError(
                f"definitions.breakdown_fire_days ({self.breakdown_fire_days}) cannot exceed "
                f"definitions.breakdown_fire_window ({self.breakdown_fire_window}): no log could ever meet it."
            )


@dataclass(frozen=True)
class ParametersConfig:
    table: str | None = knob(
        "table of parameter values, one column per dotted key (CSV or Parquet; a relative path is looked up in "
        "conf/, then the working folder); null = the values above",
        source="run setting; the default is the calibration's posterior sample (docs/calibration.md)",
    )
    row: int | None = knob(
        "null: replicate i takes row i mod n (parameter uncertainty); a number: every replicate takes that row "
        "(one point of a design)",
        lo=0,
        hi=1_000_000_000,
        source="run setting",
    )
    per_row: int = knob(
        "replicates that share a row and its replayed history (row null): replicate i takes row (i // per_row) mod "
        "n. 1: every replicate its own row; more separates the spread across rows (parameter uncertainty) from "
        "chance in summary.json, at the price of fewer rows",
        lo=1,
        hi=1_000_000,
        source="run setting",
    )
    pinned: list[str] = knob(
        "keys the table does not override (filled in from the command line and with_values: an explicit value wins)",
        source="run setting",
    )


@dataclass(frozen=True)
class ForecastConfig:
    """The record a forecast is conditioned on, and the day it is made (sim/run/forecast.py)."""

    record: str | None = knob(
        "a record file in the schema of docs/context/record.csv, with later events (a relative path: the working "
        "folder); null = the record to 5 November 2025 that ships",
        source="run setting",
    )
    counts: str | None = knob(
        "the record's counts without a list of events (the schema of docs/context/record_counts.csv); null = "
        "record_counts.csv beside the record if there is one, else the one that ships",
        source="run setting",
    )
    record_to: str | None = knob(
        "the last day the record is complete to (YYYY-MM-DD); null = its last row's day (5 November 2025 for "
        "the record that ships)",
        source="run setting",
    )
    as_of: str | None = knob(
        "the day the forecast is made: a date (YYYY-MM-DD) or a day number (0 = 19 October 2025), on or before "
        "the record's last day; null = the record's last day (5 November 2025: the shipped forecast)",
        source="run setting",
    )
    origins: list[str] = knob(
        "earlier days to forecast from as well (dates or day numbers), for how the forecast moved: origins.csv "
        "and the brief (python -m sim.brief)",
        source="run setting",
    )
    particles: int = knob(
        "particles of the sequential filter that conditions the forecast (sim/analysis/sequential.py)",
        lo=20,
        hi=100_000,
        source="run setting",
    )
    origin_replicates: int = knob(
        "replicates of each earlier origin's forecast (origins.csv)", lo=10, hi=1_000_000, source="run setting"
    )
    seed: int = knob("seed of the filter's draws", lo=0, hi=2**63 - 1, source="run setting")
    cache: str | None = knob(
        "folder of conditioned populations, reused by later runs (null: $XDG_CACHE_HOME/ceasefire-sim, else "
        "~/.cache/ceasefire-sim)",
        source="run setting",
    )
