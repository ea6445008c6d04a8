"""python -m sim.score: the scores against textbook values, and a run folder made by hand
scored end to end (no simulation)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml

from sim.analysis.questions import load_questions
from sim.analysis.scoring import (
    brier_score,
    censored_log_score_ensemble,
    clip_probability,
    crps_discrete,
    crps_ensemble,
    geometric_pmf,
    log_score_binary,
    log_score_ensemble,
    pit_ensemble,
    skill,
    target_values,
)
from sim.cli.score import main
from sim.core.io import write_parquet
from sim.run.reading import load_run, score_run
from tests.helpers import sim

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "conf" / "questions" / "record_to_5nov.yaml"
HORIZON = 30
N = 10
#: events.parquet's columns and types (the event log, sim/core/events.py)
EVENTS_SCHEMA = pa.schema(
    [
        ("replicate", pa.int64()),
        ("day", pa.int64()),
        ("date", pa.date32()),
        ("event_type", pa.string()),
        ("actor1", pa.string()),
        ("actor2", pa.string()),
        ("crossing", pa.string()),
        ("fatalities", pa.int64()),
        ("pak_blames", pa.string()),
        ("afg_blames", pa.string()),
        ("detail", pa.string()),
    ]
)

# --------------------------------------------------------------------------- textbook values


def test_binary_scores_textbook_values():
    assert brier_score(1.0, True) == 0 and log_score_binary(1.0, True) == 0
    assert brier_score(0.0, False) == 0 and log_score_binary(0.0, False) == 0
    for y in (True, False):
        assert brier_score(0.5, y) == 0.25
        assert log_score_binary(0.5, y) == pytest.approx(math.log(2))
    assert brier_score(0.2, False) == pytest.approx(0.04)
    assert log_score_binary(0.2, False) == pytest.approx(-math.log(0.8))
    assert log_score_binary(0.0, True) == math.inf  # a wrong certainty
    # the ensemble's share is kept within [1/(2n), 1 - 1/(2n)] for the log score
    assert clip_probability(0.0, 10) == 0.05 and clip_probability(1.0, 10) == 0.95
    assert clip_probability(0.3, 10) == 0.3
    assert log_score_binary(clip_probability(0.0, 10), True) == pytest.approx(math.log(20))


def test_crps_of_an_ensemble():
    assert crps_ensemble(np.array([3.0, 3.0, 3.0]), 3) == 0  # a perfect ensemble
    assert crps_ensemble(np.array([0.0, 2.0]), 1) == pytest.approx(0.5)  # E|X-1| - E|X-X'|/2 = 1 - 1/2
    assert crps_ensemble(np.array([5.0]), 2) == pytest.approx(3.0)  # one member: the absolute error
    rng = np.random.default_rng(1)
    x = rng.integers(0, 20, 50).astype(float)
    brute = np.abs(x - 7).mean() - 0.5 * np.abs(x[:, None] - x[None, :]).mean()
    assert crps_ensemble(x, 7) == pytest.approx(brute)


def test_log_score_and_mid_pit_of_an_ensemble():
    x = np.array([1.0, 2.0, 2.0, 3.0])
    assert log_score_ensemble(x, 2) == pytest.approx(math.log(2))  # mass 1/2 at 2
    assert log_score_ensemble(x, 9) == pytest.approx(math.log(8))  # no mass: floored at 1/(2n)
    certain = (log_score_ensemble(np.array([3.0, 3.0]), 3), log_score_binary(1.0, True))
    assert all(s == 0 and math.copysign(1, s) == 1 for s in certain)  # 0, not -0 (printed "-0.000")
    assert pit_ensemble(x, 2) == pytest.approx(0.25 + 0.5 * 0.5)  # F(2-) + P(X = 2) / 2
    assert pit_ensemble(x, 1) == pytest.approx(0.125)
    assert pit_ensemble(x, 0) == 0 and pit_ensemble(x, 4) == 1


def test_censored_day_is_scored_by_the_survival_probability():
    # days 2 and 5, and two replicates where it did not happen (horizon 30: coded 31)
    x = np.array([2.0, 5.0, 31.0, 31.0])
    assert censored_log_score_ensemble(x, 17) == pytest.approx(-math.log(0.5))  # -ln P(X > 17)
    assert censored_log_score_ensemble(x, 4) == pytest.approx(-math.log(0.75))
    assert censored_log_score_ensemble(x, 1) == 0
    assert censored_log_score_ensemble(np.array([2.0, 3.0]), 17) == pytest.approx(math.log(4))  # floor 1/(2n)


def _crps_by_expectations(support: np.ndarray, pmf: np.ndarray, obs: int) -> float:
    """E|X - v| - E|X - X'| / 2 by brute force over the whole distribution."""
    return float(
        (pmf * np.abs(support - obs)).sum() - 0.5 * (np.outer(pmf, pmf) * np.abs(support[:, None] - support)).sum()
    )


@pytest.mark.parametrize("rate, obs", [(0.02, 1), (0.02, 17), (0.2, 3), (0.2, 30), (0.0055, 0)])
def test_geometric_reference_crps_against_brute_force(rate, obs):
    k, pmf = geometric_pmf(rate, HORIZON)
    assert k[0] == 1 and k[-1] == HORIZON + 1 and pmf.sum() == pytest.approx(1)
    assert pmf[0] == pytest.approx(1 - math.exp(-rate))  # P(T = 1)
    assert pmf[-1] == pytest.approx(math.exp(-rate * HORIZON))  # not within the horizon
    assert crps_discrete(k, pmf, obs) == pytest.approx(_crps_by_expectations(k, pmf, obs))


def test_geometric_reference_uncensored_matches_scoringrules():
    import scoringrules as sr

    rate, obs, horizon = 0.05, 12, 4000  # a far horizon: censoring negligible
    k, pmf = geometric_pmf(rate, horizon)
    # T - 1 is negative binomial with n = 1; the CRPS is translation invariant
    expected = float(sr.crps_negbinom(obs - 1, 1, -math.expm1(-rate), backend="numpy"))
    assert crps_discrete(k, pmf, obs) == pytest.approx(expected, rel=1e-6)


def test_poisson_reference_crps_matches_the_exact_sum():
    import scoringrules as sr
    from scipy import stats

    for mean, obs in ((2.0, 4), (0.5, 0), (7.3, 2)):
        k = np.arange(0, 200)
        exact = crps_discrete(k, stats.poisson.pmf(k, mean), obs)
        assert float(sr.crps_poisson(obs, mean, backend="numpy")) == pytest.approx(exact)


def test_skill_score_sign():
    assert skill(0.1, 0.2) == pytest.approx(0.5)  # better than the reference
    assert skill(0.3, 0.2) < 0  # worse
    assert skill(0.2, 0.2) == 0
    assert math.isnan(skill(0.1, 0.0)) and math.isnan(skill(math.nan, 0.2))


# --------------------------------------------------------------------------- a run folder by hand


def make_run(folder: Path, events: bool = True) -> Path:
    """Ten replicates, horizon 30 days; events only in replicates 0 and 1."""
    folder.mkdir(parents=True, exist_ok=True)
    nan = math.nan
    runs = pd.DataFrame(
        {
            "replicate": np.arange(N, dtype="int64"),
            "seed": np.arange(100, 100 + N, dtype="int64"),
            "violation_day": [3.0, 20.0] + [nan] * 8,  # by day 17: 1 of 10
            "breakdown_day": [nan] * N,
            "renunciation_day": [nan] * N,
            "first_reopen_day": [10.0, 25.0] + [nan] * 8,
            "incidents": np.array([5, 2, 0, 0, 1, 0, 0, 0, 0, 3], dtype="int64"),
            "truce_days": np.full(N, HORIZON, dtype="int64"),
        }
    )
    write_parquet(runs.sample(frac=1, random_state=1), folder / "runs.parquet")  # order does not matter
    (folder / "config.yaml").write_text(
        yaml.safe_dump({"run": {"horizon_days": HORIZON, "replicates": N}, "scenario": {"start_date": "2025-10-19"}})
    )
    if events:
        rows = [
            # replicate, day, type, actor1, actor2, detail
            (0, 2, "militant_attack", "militants", "pakistan", None),
            (0, 2, "militant_attack", "militants", "pakistan", None),
            (0, 5, "militant_attack", "militants", "pakistan", None),
            (0, 3, "militant_attack", "militants", "afghanistan", None),  # another actor2
            (0, 20, "militant_attack", "militants", "pakistan", None),  # after the window
            (0, 3, "armed_clash", "pakistan", "afghanistan", None),
            (0, 11, "talks_round", "mediators", None, "salvaged"),
            (1, 1, "militant_attack", "militants", "pakistan", None),
            (1, 9, "shelling", "afghanistan", "pakistan", None),
            (1, 9, "armed_clash", "pakistan", "militants", None),  # not between the two states
            (1, 11, "talks_round", "mediators", None, "failed"),
            (7, 0, "crossing_closed", "pakistan", None, None),
        ]
        frame = pd.DataFrame(rows, columns=["replicate", "day", "event_type", "actor1", "actor2", "detail"])
        frame["date"] = [dt.date(2025, 10, 19) + dt.timedelta(days=int(d)) for d in frame["day"]]
        frame["crossing"] = None
        frame["fatalities"] = 1
        frame.loc[1, "fatalities"] = 12  # one deadly attack in replicate 0's window
        frame["pak_blames"] = None
        frame["afg_blames"] = None
        write_parquet(frame[list(EVENTS_SCHEMA.names)], folder / "events.parquet", schema=EVENTS_SCHEMA)
    return folder


def write_questions(path: Path, questions: list[dict], **top) -> Path:
    path.write_text(yaml.safe_dump({"description": "test", **top, "questions": questions}, sort_keys=False))
    return path


GOOD = [
    {
        "id": "violation_by_17",
        "target": "violation_day",
        "kind": "binary",
        "by_day": 17,
        "resolution": {"not_by_day": 17},
        "base_rate": 0.01,
    },
    {
        "id": "violation_by_17_happened",
        "target": "violation_day",
        "kind": "binary",
        "by_day": 17,
        "resolution": {"value": 3},
    },
    {"id": "violation_open", "target": "violation_day", "kind": "binary", "by_day": 25},  # no resolution
    {  # known only up to day 10: not enough for day 17
        "id": "violation_known_to_10",
        "target": "violation_day",
        "kind": "binary",
        "by_day": 17,
        "resolution": {"not_by_day": 10},
    },
    {
        "id": "reopen_day",
        "target": "first_reopen_day",
        "kind": "quantity",
        "resolution": {"not_by_day": 17},
        "base_rate": 0.05,
    },
    {
        "id": "reopen_day_value",
        "target": "first_reopen_day",
        "kind": "quantity",
        "resolution": {"value": 25},
        "base_rate": 0.05,
    },
    {
        "id": "attacks",
        "target": {"count": ["militant_attack"], "actor2": "pakistan", "from_day": 1, "to_day": 17},
        "kind": "quantity",
        "resolution": {"value": 3},
        "base_rate": 0.1,
    },
    {
        "id": "attack_days",
        "target": {
            "count": ["militant_attack"],
            "actor2": "pakistan",
            "from_day": 1,
            "to_day": 17,
            "distinct_days": True,
        },
        "kind": "quantity",
        "resolution": {"value": 2},
    },
    {
        "id": "state_fire",
        "target": {"count": ["state_fire"], "from_day": 1, "to_day": 17},
        "kind": "quantity",
        "resolution": {"value": 0},
        "base_rate": 0.01,
    },
    {
        "id": "rounds_failed",
        "target": {"count": "talks_round", "detail": "failed", "from_day": 1, "to_day": 17},
        "kind": "quantity",
        "resolution": {"value": 0},
    },
    {"id": "incidents", "target": "incidents", "kind": "quantity", "resolution": {"value": 0}, "base_rate": 0.02},
]


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return make_run(tmp_path / "run")


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    return write_questions(tmp_path / "qs.yaml", GOOD)


def test_target_values_count_only_the_named_events_in_the_window(run_dir, questions):
    run = load_run(run_dir)
    qs = {q.id: q for q in load_questions(questions)}
    values = lambda qid: target_values(qs[qid], run.runs, run.events, run.horizon)  # noqa: E731
    zeros = [0.0] * 8
    assert list(values("attacks")) == [3, 1, *zeros]  # day 20 and the attack in Afghanistan left out
    assert list(values("attack_days")) == [2, 1, *zeros]  # days 2 and 5
    assert list(values("state_fire")) == [1, 1, *zeros]  # not the clash with militants
    assert list(values("rounds_failed")) == [0, 1, *zeros]
    assert list(values("reopen_day")) == [10, 25, *[HORIZON + 1.0] * 8]  # not within the horizon: 31
    assert list(values("incidents")) == [5, 2, 0, 0, 1, 0, 0, 0, 0, 3]  # sorted by replicate
    deadly = {**GOOD[6], "id": "deadly", "target": {**GOOD[6]["target"], "min_fatalities": 10}}
    (q,) = load_questions(write_questions(run_dir / "deadly.yaml", [deadly]))
    assert list(target_values(q, run.runs, run.events, run.horizon)) == [1, 0, *zeros]
    assert "fatalities>=10" in q.target.describe()


def test_score_run_scores_and_status(run_dir, questions):
    frame = score_run(run_dir, questions).set_index("id")
    assert list(frame["status"]) == ["scored", "scored", "unresolved", "unresolved", *["scored"] * 7]
    v = frame.loc["violation_by_17"]
    assert v["forecast_p"] == pytest.approx(0.1) and v["outcome"] == 0
    assert v["brier"] == pytest.approx(0.01) and v["log"] == pytest.approx(-math.log(0.9))
    ref_p = 1 - math.exp(-0.01 * 17)
    assert v["ref_forecast"] == pytest.approx(ref_p)
    assert v["ref_brier"] == pytest.approx(ref_p**2) and v["ref_log"] == pytest.approx(0.17)
    assert v["skill_brier"] == pytest.approx(1 - 0.01 / ref_p**2)
    assert v["by_date"] == "2025-11-05"
    h = frame.loc["violation_by_17_happened"]
    assert h["outcome"] == 1 and h["brier"] == pytest.approx(0.81) and h["log"] == pytest.approx(-math.log(0.1))
    assert math.isnan(h["ref_brier"]) and math.isnan(h["skill_brier"])  # no base rate, no reference
    assert "before by_day 17" in frame.loc["violation_known_to_10", "note"]
    r = frame.loc["reopen_day"]  # censored: log score only
    assert r["log"] == pytest.approx(-math.log(0.9)) and r["ref_log"] == pytest.approx(0.05 * 17)
    assert math.isnan(r["crps"]) and math.isnan(r["pit"]) and "censored" in r["note"]
    rv = frame.loc["reopen_day_value"]
    x = np.array([10.0, 25.0] + [31.0] * 8)
    assert rv["crps"] == pytest.approx(crps_ensemble(x, 25)) and rv["log"] == pytest.approx(math.log(10))
    assert rv["pit"] == pytest.approx(0.1 + 0.05)
    k, pmf = geometric_pmf(0.05, HORIZON)
    assert rv["ref_crps"] == pytest.approx(crps_discrete(k, pmf, 25))
    assert rv["ref_log"] == pytest.approx(-math.log(pmf[24]))
    a = frame.loc["attacks"]
    assert a["forecast_median"] == 0 and a["forecast_q95"] == 3
    assert a["log"] == pytest.approx(math.log(10)) and a["pit"] == pytest.approx(0.9 + 0.05)
    assert a["ref_forecast"] == pytest.approx(1.7)  # 0.1 a day over 17 days
    from scipy import stats

    assert a["ref_log"] == pytest.approx(-stats.poisson.logpmf(3, 1.7))
    s = frame.loc["state_fire"]
    assert s["crps"] == pytest.approx(0.2 - 0.5 * 2 * 0.2 * 0.8)  # E|X| - E|X - X'| / 2, X = 1 in 2 of 10
    assert frame.loc["incidents", "ref_forecast"] == pytest.approx(0.02 * HORIZON)  # a runs count: the whole run


def test_main_prints_the_table_and_writes_csv_and_json(run_dir, questions, capsys):
    assert main([str(run_dir), str(questions)]) == 0
    out = capsys.readouterr().out
    assert "violation_by_17" in out and "unresolved" in out and "smaller is better" in out
    assert "Mean over the 9 resolved questions" in out and "Unresolved (not scored): 2" in out
    folder = run_dir / "scores" / "qs"
    table = pd.read_csv(folder / "scores.csv")
    assert list(table["id"]) == [q["id"] for q in GOOD]
    assert (table["status"] == "unresolved").sum() == 2
    report = json.loads((folder / "scores.json").read_text())
    assert report["questions_sha256"] == hashlib.sha256(questions.read_bytes()).hexdigest()
    assert report["run_dir"] == str(run_dir.resolve()) and report["horizon_days"] == HORIZON
    assert report["means"]["brier"]["questions"] == 2 and report["means"]["crps"]["questions"] == 6
    assert report["means"]["brier"]["mean"] == pytest.approx((0.01 + 0.81) / 2)
    assert [q["status"] for q in report["questions"]].count("unresolved") == 2
    assert report["questions"][0]["pit"] is None  # NaN written as null: valid JSON
    assert report["questions"][0]["by_day"] == 17 and report["questions"][4]["by_day"] is None
    assert table["by_day"].iloc[0] == 17 and "17.0" not in (folder / "scores.csv").read_text()


def test_out_folder_can_be_chosen(run_dir, questions, tmp_path, capsys):
    assert main([str(run_dir), str(questions), "--out", str(tmp_path / "elsewhere"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    assert (tmp_path / "elsewhere" / "scores.csv").exists() and not (run_dir / "scores").exists()


def test_the_record_questions_load_and_score(tmp_path, capsys):
    qs = load_questions(RECORD)
    assert 4 <= len(qs) <= 8 and all(q.resolution is not None and q.base_rate for q in qs)
    assert all(q.by_day is None or q.by_day == 17 for q in qs)
    assert all(q.target.to_day <= 17 for q in qs if q.is_count)
    run = make_run(tmp_path / "run")
    assert main([str(run), str(RECORD), "--out", str(tmp_path / "s")]) == 0
    table = pd.read_csv(tmp_path / "s" / "scores.csv")
    assert set(table["status"]) == {"scored"}


# --------------------------------------------------------------------------- mistakes: one paragraph, exit 2


def _bad(**changes) -> list[dict]:
    q = {"id": "q_bad", "target": "violation_day", "kind": "binary", "by_day": 17, "resolution": {"value": 3}}
    q.update(changes)
    return [GOOD[0], {k: v for k, v in q.items() if v is not None}]


BAD = {
    "unknown key": (_bad(bydate=3), ["q_bad", "unknown key 'bydate'", "allowed"]),
    "unknown target": (_bad(kind="quantity", by_day=None, target="violation_days"), ["q_bad", "violation_days"]),
    "binary on a count": (
        _bad(target={"count": ["militant_attack"], "from_day": 1, "to_day": 17}),
        ["q_bad", "binary", "quantity"],
    ),
    "binary on a count column": (_bad(target="incidents"), ["q_bad", "binary"]),
    "resolution key typo": (_bad(resolution={"valu": 3}), ["q_bad", "unknown key 'valu'", "not_by_day"]),
    "two resolutions": (_bad(resolution={"value": 3, "not_by_day": 2}), ["q_bad", "exactly one"]),
    "by_day past the horizon": (_bad(by_day=HORIZON + 1), ["q_bad", "by_day 31", "horizon"]),
    "window past the horizon": (
        _bad(kind="quantity", by_day=None, target={"count": ["militant_attack"], "from_day": 1, "to_day": 40}),
        ["q_bad", "day 40", "horizon"],
    ),
    "unknown event type": (
        _bad(kind="quantity", by_day=None, target={"count": ["militant_atack"], "from_day": 1, "to_day": 5}),
        ["q_bad", "militant_atack", "militant_attack"],
    ),
    "unknown actor": (
        _bad(kind="quantity", by_day=None, target={"count": ["shelling"], "actor2": "pak", "from_day": 1, "to_day": 5}),
        ["q_bad", "actor2 'pak'"],
    ),
    "not_by_day on a count": (
        _bad(kind="quantity", by_day=None, target="incidents", resolution={"not_by_day": 3}),
        ["q_bad", "not_by_day"],
    ),
    "day value past the horizon": (
        _bad(kind="quantity", by_day=None, resolution={"value": 40}),
        ["q_bad", "value 40", "not_by_day: 30"],
    ),
    "by_day on a quantity": (_bad(kind="quantity"), ["q_bad", "by_day"]),
    "wrong type": (_bad(by_day="17"), ["q_bad", "by_day", "whole number"]),
    "negative base rate": (_bad(base_rate=-0.1), ["q_bad", "base_rate"]),
    "duplicate id": ([GOOD[0], GOOD[0]], ["violation_by_17", "twice"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_malformed_question_is_one_paragraph_naming_it(case, run_dir, tmp_path, capsys):
    questions, expected = BAD[case]
    path = write_questions(tmp_path / "bad.yaml", questions)
    assert main([str(run_dir), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ceasefire-sim: ") and err.count("\n") == 1, err  # one paragraph
    for text in expected:
        assert text in err, (text, err)
    assert not (run_dir / "scores").exists()  # nothing written


@pytest.mark.parametrize(
    "content, expected",
    [
        ("- just\n- a list\n", "must be a mapping"),
        ("questions: []\n", "non-empty list"),
        ("questions: [{id: a, target: violation_day, kind: binary, by_day: 3}]\nextra: 1\n", "unknown key 'extra'"),
        ("questions: [\n", "not valid YAML"),
        ("questions: [{target: violation_day, kind: binary}]\n", "needs an id"),
    ],
)
def test_a_malformed_file_is_one_paragraph(content, expected, run_dir, tmp_path, capsys):
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    assert main([str(run_dir), str(path)]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1, err


def test_missing_run_folder_file_or_event_log(run_dir, questions, tmp_path, capsys):
    assert main([str(tmp_path / "nowhere"), str(questions)]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main([str(run_dir), str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml' does not exist" in capsys.readouterr().err
    no_runs = tmp_path / "empty"
    no_runs.mkdir()
    assert main([str(no_runs), str(questions)]) == 2
    assert "no runs.parquet" in capsys.readouterr().err
    no_log = make_run(tmp_path / "no_log", events=False)
    assert main([str(no_log), str(questions)]) == 2
    err = capsys.readouterr().err
    assert "question 'attacks'" in err and "events.parquet" in err and err.count("\n") == 1
    # questions without counts need no log
    day_only = write_questions(tmp_path / "days.yaml", GOOD[:5])
    assert main([str(no_log), str(day_only), "--quiet"]) == 0


def test_command_line_refuses_a_bad_file_without_traceback(run_dir, tmp_path):
    path = write_questions(tmp_path / "bad.yaml", _bad(target="no_such_column", kind="quantity", by_day=None))
    result = sim(str(run_dir), str(path), module="sim.score", timeout=120)
    assert result.returncode == 2, result.stderr
    assert "question 'q_bad'" in result.stderr and "no_such_column" in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


# --------------------------------------------------------------------------- the run folder contract


def test_a_scored_run_folder_is_still_complete(config, tmp_path, capsys):
    """Scores written inside a complete run folder (the default) leave it complete: the
    same configuration run into it again finds nothing to do, and its manifest still
    matches. An unfinished folder is refused."""
    from sim.run.folder import JOB_OUTPUTS, RUN_MARK, folder_state, job_status, write_manifest

    folder = make_run(tmp_path / "run")
    for name in JOB_OUTPUTS:  # the outputs a run writes, as placeholders
        if not (folder / name).exists():
            (folder / name).write_text("{}\n")
    write_manifest(folder, config, 1.0, 1)
    assert folder_state(folder, config) == ("complete", "")
    manifest = (folder / "manifest.json").read_bytes()
    questions = write_questions(tmp_path / "qs.yaml", GOOD)
    assert main([str(folder), str(questions), "--quiet"]) == 0
    assert (folder / "scores" / "qs" / "scores.json").exists()
    assert job_status(folder, config) == ("complete", "")
    assert folder_state(folder, config) == ("complete", "")
    assert (folder / "manifest.json").read_bytes() == manifest
    # a folder whose run did not finish (run.json, no manifest) is not scored
    unfinished = make_run(tmp_path / "unfinished")
    (unfinished / RUN_MARK).write_text("{}")
    assert main([str(unfinished), str(questions)]) == 2
    assert "not complete" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("questions_file", "message"),
    [
        (lambda p: p.mkdir() or p, "is a folder; give a questions file"),
        (lambda p: p.write_bytes(b"questions:\n  - id: caf\xe9\n") and p, "is not UTF-8 text"),
    ],
)
def test_a_questions_file_that_is_a_folder_or_not_utf8_is_one_paragraph(
    run_dir, tmp_path, capsys, questions_file, message
):
    path = questions_file(tmp_path / "q.yaml")
    assert main([str(run_dir), str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("out", "message"),
    [("/proc/scores", "inside a system folder"), ("sim/scores", "source tree"), ("a_file", "is a file")],
)
def test_scores_go_only_where_a_run_may_write(run_dir, questions, tmp_path, capsys, out, message):
    from sim.run.folder import ROOT

    (tmp_path / "a_file").write_text("x")
    target = Path(out) if out.startswith("/") else (ROOT / out if out.startswith("sim") else tmp_path / out)
    assert main([str(run_dir), str(questions), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and message in err and err.count("\n") == 1
    assert not (ROOT / "sim" / "scores").exists()
