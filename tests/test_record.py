"""docs/context/record.csv: the record to 5 November 2025 as data, in the event log's schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.core import events as ev

RECORD = Path(__file__).resolve().parent.parent / "docs" / "context" / "record.csv"
START = pd.Timestamp("2025-10-19")  # day 0, the Doha ceasefire
FORECAST_DAY = pd.Timestamp("2025-11-05")  # nothing published later


def test_the_record_is_in_the_event_logs_schema_with_a_source_on_every_row():
    record = pd.read_csv(RECORD, keep_default_na=False)
    assert list(record.columns) == [*ev.COLUMNS[1:], "source", "partisan"]
    assert record["event_type"].isin(ev.EVENT_TYPES).all()
    assert record["actor1"].isin(ev.ACTORS).all()
    assert record["actor2"].isin([*ev.ACTORS, ""]).all()
    dates = pd.to_datetime(record["date"])
    assert ((dates - START).dt.days == record["day"]).all()  # day and date agree
    assert (dates <= FORECAST_DAY).all()
    assert (record["source"].str.len() > 5).all()
    assert record["partisan"].dtype == bool and record["pak_breach"].dtype == bool
    assert (record["fatalities"].astype(int) >= 0).all()


def test_the_record_has_no_fire_between_the_states_and_round_2_agreed_a_text_in_principle():
    record = pd.read_csv(RECORD, keep_default_na=False)
    assert not record["event_type"].isin(ev.STATE_FIRE).any()
    rounds = record[record["event_type"] == ev.TALKS_ROUND]
    assert [d.split(":")[0] for d in rounds["detail"]] == ["ceasefire", "principle"]  # Doha; Istanbul round 2
    reopened = record[record["event_type"] == ev.CROSSING_REOPENED]
    assert reopened["detail"].str.startswith("people only").all()  # never for trade
