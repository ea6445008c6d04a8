"""Decision support: the schema's levers and deep uncertainties, the futures, PRIM and
CART on a known box, regret and satisficing, the value-of-information factorial, the
deep uncertainty of militant capability in the model, python -m sim.discover and the
study at --quick size (with its resume)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from helpers import sim

from sim.analysis import discovery as dis
from sim.core import events as ev
from sim.core.schema import leaves
from sim.run.config import with_values
from sim.run.ensemble import run_replicate
from sim.run.parameters import read_table

ROOT = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- schema and futures


def test_levers_and_deep_uncertainties_are_declared_in_the_schema(config):
    levers = dis.lever_keys(config)
    for key in ("mvm", "mediation", "crossings.reopen_rule", "crossings.aid_lane", "mvm.detection_prob"):
        assert key in levers
    deep = {f.key: f for f in dis.deep_uncertainties(config)}
    assert "spoilers.future_scale" in deep and deep["spoilers.future_scale"].lo < 1 < deep["spoilers.future_scale"].hi
    meta = {leaf.key: leaf.meta for leaf in leaves(config)}
    for f in deep.values():  # every range inside what the schema allows, the default inside it
        assert meta[f.key]["lo"] <= f.lo < f.hi <= meta[f.key]["hi"]
        assert f.lo <= f.default <= f.hi
    # a knob is a lever or a deep uncertainty, never both; and the posterior draws neither
    assert not set(levers) & set(deep)
    posterior = read_table(config.parameters.table)
    assert not (set(levers) | set(deep)) & set(posterior.columns)


def test_the_decisions_page_names_every_lever_and_deep_uncertainty_with_its_range(config):
    text = (ROOT / "docs" / "decisions.md").read_text()
    for key in dis.lever_keys(config):
        generic = re.sub(r"^mediation\.mediators\.[^.]+\.", "mediation.mediators.NAME.", key)  # per mediator
        assert f"`{generic}`" in text, key
    for f in dis.deep_uncertainties(config):
        row = next(line for line in text.splitlines() if line.startswith(f"| `{f.key}`"))
        assert f"{f.lo:g} to {f.hi:g}" in row, f.key
    for marker in ("boxes", "agreement", "robustness", "information"):  # the generated tables are there
        body = text.split(f"<!-- discovery {marker}: begin")[1].split(f"<!-- discovery {marker}: end")[0]
        assert body.count("\n|") >= 3, marker


def test_futures_are_posterior_rows_with_a_latin_hypercube_over_the_deep_uncertainties(config):
    posterior = read_table(config.parameters.table)
    deep = dis.deep_uncertainties(config)
    n = 50
    a = dis.futures(posterior, deep, n, seed=3)
    pd.testing.assert_frame_equal(a, dis.futures(posterior, deep, n, seed=3))  # seeded
    assert not a.equals(dis.futures(posterior, deep, n, seed=4))
    assert {"record_seed", "record_day"} <= set(a.columns)  # each future replays its row's history
    merged = a.merge(posterior, on=list(posterior.columns), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()  # the behavioural magnitudes are posterior rows
    for f in deep:
        if f.integer:
            continue
        # Latin hypercube: each of the n equal strata of the range holds exactly one future
        strata = np.floor((a[f.key] - f.lo) / (f.hi - f.lo) * n).astype(int)
        assert sorted(strata) == list(range(n)), f.key
    assert "record_seed" not in dis.uncertainty_columns(a)


def test_future_scale_changes_the_militants_only_after_the_record(config):
    """Militant capability is a deep uncertainty about the future: the days up to
    future_from_day are the same whatever it is; with a scale of 0 no attack follows."""
    base = with_values(config, {"parameters.table": None, "run.horizon_days": 60})
    day = base.spoilers.future_from_day
    _, _, log1 = run_replicate(base, 0, 11)
    _, _, log0 = run_replicate(with_values(base, {"spoilers.future_scale": 0.0}), 0, 11)
    before = [e for e in log1 if e.day < day]
    assert before and before == [e for e in log0 if e.day < day]
    assert any(e.event_type == ev.MILITANT_ATTACK and e.day >= day for e in log1)
    assert not any(e.event_type == ev.MILITANT_ATTACK and e.day >= day for e in log0)


def test_a_mediator_withdraws_after_its_last_day(config):
    """mediation.mediators.NAME.until_day: the days up to it are the same; after it, that
    mediator brings no pressure and cannot salvage a round."""
    from sim.model import CeasefireModel

    base = with_values(config, {"parameters.table": None, "run.horizon_days": 40})
    _, _, log1 = run_replicate(base, 0, 3)
    late = with_values(base, {"mediation.mediators.turkey.until_day": 17})
    _, _, log2 = run_replicate(late, 0, 3)
    assert [e for e in log1 if e.day <= 17] == [e for e in log2 if e.day <= 17]
    model = CeasefireModel(late, rng=3)
    for _ in range(16):
        model.step()
    turkey = next(m for m in model.mediation.mediators if m.name == "turkey")
    assert turkey.pressure() > 0
    model.step()  # day 17, its last: it leaves at the end of it
    assert turkey.pressure() == 0 and turkey.salvage_chance() == 0
    assert model.mediation.engaged() == 1


# --------------------------------------------------------------------------- PRIM and CART


def synthetic(n: int = 1000, dims: int = 8, seed: int = 1, flip: float = 0.0):
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, dims)), columns=[f"u{i}" for i in range(dims)])
    y = ((x["u2"] > 0.2) & (x["u2"] < 0.6) & (x["u5"] > 0.7)).to_numpy()
    if flip:
        y ^= rng.random(n) < flip
    return x, y


@pytest.mark.slow
@pytest.mark.parametrize("flip", [0.0, 0.05])
def test_prim_recovers_a_known_box_and_ignores_the_other_parameters(flip):
    x, y = synthetic(flip=flip)
    box = dis.prim_box(x, y, "synthetic")
    assert set(box.limits.index) == {"u2", "u5"}  # the 6 irrelevant parameters are left free
    lim = box.limits
    assert abs(lim.loc["u2", "lo"] - 0.2) < 0.05 and abs(lim.loc["u2", "hi"] - 0.6) < 0.05
    assert abs(lim.loc["u5", "lo"] - 0.7) < 0.05 and lim.loc["u5", "hi"] > 0.95
    # with 5% of labels flipped, a quarter of the cases lie outside any box (42 of ~185)
    assert box.stats["coverage"] > (0.65 if flip else 0.8) and box.stats["density"] > 0.8
    assert (lim[["qp_lo", "qp_hi"]].min(axis=1) < 1e-6).all()  # and PRIM says they are not chance
    assert box.contains(x)[y].mean() == pytest.approx(box.stats["coverage"])
    t = box.trajectory
    assert t["chosen"].sum() == 1 and t["coverage"].iloc[0] == pytest.approx(1.0)


def test_prim_drops_a_restriction_chance_made():
    """An outcome unrelated to any parameter: PRIM peels a box anyway (the trajectory
    restricts dimensions), but every restriction is one chance makes as often, the
    quasi-p-values say so, and the box reported is the whole space."""
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.random((600, 5)), columns=list("abcde"))
    y = rng.random(600) < 0.3
    box = dis.prim_box(x, y, "noise")
    assert box.trajectory["res_dim"].max() >= 1  # peeling restricted something
    assert box.limits.empty and box.stats["coverage"] == 1.0 and box.stats["mass"] == 1.0


def test_cart_splits_on_the_two_parameters_of_the_box():
    x, y = synthetic()
    tree, table = dis.cart(x, y)
    assert set(dis.tree_variables(tree, list(x.columns))) == {"u2", "u5"}
    top = table.iloc[0]
    assert top["share with outcome"] > 0.9 and top["coverage"] > 0.9
    assert "u2" in top["rule"] and "u5" in top["rule"]


# --------------------------------------------------------------------------- robustness


def test_regret_is_zero_for_the_best_setting_in_each_future():
    rng = np.random.default_rng(2)
    truce = pd.DataFrame(rng.normal(150, 40, (200, 6)), columns=[f"s{i}" for i in range(6)])
    r = dis.regret(truce)
    best = truce.to_numpy().argmax(axis=1)
    assert (r.to_numpy()[np.arange(200), best] == 0).all()
    assert (r.to_numpy() >= 0).all() and (r.min(axis=1) == 0).all()
    np.testing.assert_allclose(r["s0"], truce.max(axis=1) - truce["s0"])
    lost = dis.regret(truce, larger_is_better=False)  # e.g. trade lost: the least is the best
    assert (lost.to_numpy()[np.arange(200), truce.to_numpy().argmin(axis=1)] == 0).all() and (lost >= 0).all().all()


def test_robustness_table_ranks_a_dominant_setting_first():
    rng = np.random.default_rng(5)
    base = rng.normal(150, 40, 300)
    truce = pd.DataFrame({"weak": base - 20, "strong": base + 10, "noisy": base + rng.normal(0, 30, 300)})
    success = pd.DataFrame({"weak": np.full(300, 0.2), "strong": np.full(300, 0.9), "noisy": rng.random(300)})
    loss = 1000 - truce  # trade lost falls as the truce lasts
    table = dis.robustness(truce, loss, success, threshold=0.5).set_index("setting")
    assert table.loc["strong", "mean trade regret"] < table.loc["weak", "mean trade regret"]
    assert (
        table.index[0] in ("strong", "noisy") and table.loc["weak", "mean regret"] > table.loc["strong", "mean regret"]
    )
    assert table.loc["strong", "satisficing"] == 1.0 and table.loc["weak", "satisficing"] == 0.0
    assert table.loc["weak", "satisficing_hi"] < 0.05 < 0.95 < table.loc["strong", "satisficing_lo"] + 0.05
    # EVPI: the mean of each future's best minus the best mean, never negative
    assert dis.evpi(truce) == pytest.approx(truce.max(axis=1).mean() - truce.mean().max())
    assert dis.evpi(truce) >= 0


def test_main_effects_recover_known_gains_per_unit():
    """A 2x2x2 factorial whose truce days are additive in the levels: the main effect per
    unit is exact, and an inert factor's interval covers zero."""
    design = pd.DataFrame(
        [(d, r, a) for d in (0.6, 0.8) for r in (3, 1) for a in (0.7, 0.9)], columns=["det", "delay", "attr"]
    )
    rng = np.random.default_rng(0)
    future = rng.normal(150, 30, 80)
    noise = rng.normal(0, 1, (80, 8))
    values = pd.DataFrame(future[:, None] + 50 * design["det"].to_numpy() - 4 * design["delay"].to_numpy() + noise)
    fx = dis.main_effects(values, design, {"det": 0.1, "delay": -1, "attr": 0.1}).set_index("key")
    assert fx.loc["det", "effect"] == pytest.approx(5.0, abs=0.2)  # +50 days per 1.0 -> +5 per 0.1
    assert fx.loc["delay", "effect"] == pytest.approx(4.0, abs=0.2)  # -4 per day -> +4 per day faster
    assert (fx.loc["delay", "from"], fx.loc["delay", "to"]) == (3, 1)  # the improvement: from 3 days to 1
    assert fx.loc["attr", "lo"] < 0 < fx.loc["attr", "hi"]


# --------------------------------------------------------------------------- the command line and the study


@pytest.mark.slow
def test_discover_refuses_a_run_without_futures(tmp_path):
    out = tmp_path / "run"
    proc = sim(
        f"hydra.run.dir={out}", "parameters.table=null", "run.replicates=4", "run.horizon_days=30", "run.figures=false"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = sim(str(out), module="sim.discover")
    assert proc.returncode == 2 and "not run over a table of futures" in proc.stderr and "Traceback" not in proc.stderr
    proc = sim(str(tmp_path / "nowhere"), module="sim.discover")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_study_quick_writes_boxes_regret_and_figures(discovery_quick):
    out = discovery_quick
    report = (out / "results.md").read_text()
    assert "**Headline:**" in report and "nan" not in (out / "headline.txt").read_text()
    for fig in ("peeling.png", "boxes.png", "cart.png", "robustness.png", "voi.png"):
        assert mpimg.imread(out / fig).shape[0] > 100, fig
        assert f"]({fig})" in report
    robust = pd.read_csv(out / "robustness.csv")
    assert len(robust) == 4 and robust["today"].sum() == 1
    assert (robust["mean regret"] >= 0).all() and robust["best in share of futures"].sum() >= 1 - 1e-9
    futures = pd.read_csv(out / "futures.csv")
    assert len(futures) == 40 and pd.read_csv(out / "futures_robust.csv").equals(futures.head(12))
    probs = pd.read_csv(out / "futures_outcomes.csv")
    assert len(probs) == 40 and probs["replicates"].eq(3).all()
    voi = pd.read_csv(out / "voi.csv")
    assert set(voi["key"]) == {"mvm.detection_prob", "mvm.reporting_delay_days", "mvm.attribution_accuracy"}
