"""A replicate's state for a reader (the interactive page, sim/app.py): the truce in plain
words, from the model's state (sim/model/truce.py) and what its event log codes so far
(sim/core/events.py), and the event log's rows with every column labelled."""

from __future__ import annotations

import math
from datetime import date, timedelta

from ..core.events import Event

#: The truce's state in words (sim/model/truce.py).
TRUCE_WORDS = {
    "holding": "the truce holds",
    "violated": "the truce holds, though violated",
    "broken_down": "the truce has broken down",
    "renewed": "a renewed truce holds",
    "renewed_violated": "a renewed truce holds, though violated",
}


def date_on(model, day: float) -> str:
    """A day of the model as a date."""
    return (date.fromisoformat(model.config.scenario.start_date) + timedelta(days=int(day))).strftime("%d %b %Y")


def truce_in_words(model) -> str:
    """The truce today in plain words: its state (sim/model/truce.py), then what the event
    log codes so far: renounced, broken down, renewed (sim/core/events.py)."""
    truce, coded = model.truce, model.coded()
    state = truce.state.value
    words = TRUCE_WORDS["renewed_violated" if state == "violated" and truce.renewals else state]
    if state == "broken_down" and truce.broken_since is not None:
        words += f" (since {date_on(model, truce.broken_since)})"
    elif state == "violated" and not truce.renewals and math.isfinite(coded["violation"]):
        words += f" (lethal fire between the forces on {date_on(model, coded['violation'])})"
    past = []
    if math.isfinite(coded["renunciation"]):
        past.append(f"renounced on {date_on(model, coded['renunciation'])} (a government declared it over)")
    if truce.collapse_day is not None and state != "broken_down":
        past.append(f"broke down on {date_on(model, truce.collapse_day)}")
    if truce.renewals:
        past.append(f"renewed {truce.renewals} time{'s' if truce.renewals > 1 else ''}")
    return words + (f"; the truce of 19 Oct 2025 was {', '.join(past)}" if past else "")


#: The event log's columns on the page, each labelled (sim/core/events.py: Event).
EVENT_COLUMNS = {
    "day": "date",
    "event_type": "event",
    "actor1": "actor 1",
    "actor2": "actor 2",
    "crossing": "crossing",
    "fatalities": "killed",
    "pak_blames": "Pakistan blames",
    "afg_blames": "Afghanistan blames",
    "detail": "detail",
    "pak_breach": "a breach by Kabul, for Pakistan",
    "afg_breach": "a breach by Pakistan, for Kabul",
}


def event_cells(model, e: Event) -> list[str]:
    """One event as the table's cells: its date, words for codes, yes or nothing for flags."""
    cells = []
    for name in EVENT_COLUMNS:
        value = getattr(e, name)
        if name == "day":
            value = f"{date_on(model, value)} (day {value})"
        elif name == "event_type":
            value = value.replace("_", " ")
        elif isinstance(value, bool):
            value = "yes" if value else ""
        cells.append("" if value is None else str(value))
    return cells
