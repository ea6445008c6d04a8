"""The interactive page: one scenario, day by day, and a small ensemble (Mesa SolaraViz).

    make app                      # or: solara run sim.app --host 127.0.0.1
    (needs the viz extra: pip install -e '.[viz]')

Controls on the left: the mechanism design and its main knobs, the mediators, the
militants' attack rate and the seed; Reset builds the model anew with them. Step and play
advance it a day at a time while the charts follow trust each way, grievance, incidents
by kind (all, detected by the mechanism, blamed on the wrong party, state retaliations), the crossings open
and the trade index. The ensemble panel runs N replicates of the model as last reset and
draws the Kaplan-Meier curve and the trade chart with the command line's own code
(:func:`sim.analysis.plots.survival_plot`, :func:`sim.analysis.plots.trade_plot`).
"""

from __future__ import annotations

import html
import tempfile
from pathlib import Path

import mesa
import mesa.visualization.solara_viz as solara_viz
import solara
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from .core import outputs
from .core.schema import Config, group_options
from .model import CeasefireModel
from .run.config import default_config, with_values
from .run.parameters import ReplicateConfigs


def page_defaults() -> dict[str, object]:
    """The knobs on the page, where they start: the default scenario's values (the attack
    rate: its calibrated median, on the slider's grid of 0.01). A control left where it
    starts sets nothing, so the run keeps the scenario's own value (drawn per replicate
    from the posterior for a calibrated knob: sim/run/parameters.py)."""
    config = default_config()
    return {
        "mvm": "joint",  # the defaults list of conf/config.yaml
        "detection_prob": config.mvm.detection_prob,
        "attribution_accuracy": config.mvm.attribution_accuracy,
        "penalty": config.mvm.penalty,
        "mediation": "turkey_qatar",
        "attack_rate": round(config.spoilers.attack_rate, 2),
        "seed": config.run.seed,
    }


DEFAULTS = page_defaults()

#: What the charts draw (DataCollector model reporters), by their declared labels
#: (sim.core.outputs): the daily series of trust, grievance, crossings and trade, and the
#: running counts of incidents.
CHARTED_SERIES = (
    "trust_afg_in_pak",
    "trust_pak_in_afg",
    "grievance_afg",
    "grievance_pak",
    "open_crossings",
    "trade_index",
)
CHARTED_COUNTS = ("incidents", "detected", "misattributed", "retaliations")
REPORTERS = {
    **{outputs.series(name).label: outputs.series_reader(name) for name in CHARTED_SERIES},
    **{outputs.outcome(name).label: outputs.counter_reader(name) for name in CHARTED_COUNTS},
}


def _colors(pairs: dict[str, str]) -> dict[str, str]:
    """A chart's series or counts by their declared labels, with their colours."""
    return {
        (outputs.outcome(name) if name in CHARTED_COUNTS else outputs.series(name)).label: color
        for name, color in pairs.items()
    }


#: The mechanism sliders and the config keys they set.
MECHANISM_SLIDERS = {
    "detection_prob": "mvm.detection_prob",
    "attribution_accuracy": "mvm.attribution_accuracy",
    "penalty": "mvm.penalty",
}


def parse_seed(seed: object) -> int | None:
    """The seed typed in the page, or None if it is not a whole number >= 0."""
    try:
        value = int(str(seed).strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def page_config(
    mvm: str,
    detection_prob: float,
    attribution_accuracy: float,
    penalty: float,
    mediation: str,
    attack_rate: float,
    seed: int,
) -> Config:
    """The default scenario with the page's settings (validated like the command line's).

    A mechanism slider left where it starts keeps the chosen design's own value (the
    third-party monitors' attribution, the zero penalty of joint_no_penalty, ...); a
    slider that was moved overrides it. With no mechanism they have nothing to act on.
    """
    base = default_config([f"mvm={mvm}", f"mediation={mediation}"])
    values = {"run.seed": int(seed)}
    if attack_rate != DEFAULTS["attack_rate"]:  # untouched: as calibrated (drawn from the posterior)
        values["spoilers.attack_rate"] = attack_rate
    if mvm != "none":
        sliders = {"detection_prob": detection_prob, "attribution_accuracy": attribution_accuracy, "penalty": penalty}
        values |= {MECHANISM_SLIDERS[k]: v for k, v in sliders.items() if v != DEFAULTS[k]}
    return with_values(base, values)


class AppModel(CeasefireModel):
    """The model as the page drives it: built from the page's controls, with a Mesa
    DataCollector recording the charted series every day (day 0 included). It steps
    through Mesa's schedule, the replayed days too, so that Mesa's counters and event
    list stay right for the page's own steps."""

    mesa_schedule = True

    def __init__(
        self,
        mvm: str = DEFAULTS["mvm"],
        detection_prob: float = DEFAULTS["detection_prob"],
        attribution_accuracy: float = DEFAULTS["attribution_accuracy"],
        penalty: float = DEFAULTS["penalty"],
        mediation: str = DEFAULTS["mediation"],
        attack_rate: float = DEFAULTS["attack_rate"],
        seed: int = DEFAULTS["seed"],
        rng: int | None = None,
    ):
        parsed = parse_seed(seed)
        self.notice = (
            "" if parsed is not None else f"seed '{seed}' is not a whole number >= 0: using {DEFAULTS['seed']}"
        )
        seed = DEFAULTS["seed"] if parsed is None else parsed
        config = page_config(mvm, detection_prob, attribution_accuracy, penalty, mediation, attack_rate, seed)
        seed = seed if rng is None else rng
        # as replicate `seed` of the command line: its row of the calibrated posterior, whose
        # history to 5 November it replays before going on with its own seed
        own, self.parameter_row, history = ReplicateConfigs(config)(seed)
        self.replayed_to: int | None = None
        super().__init__(own, rng=seed if history is None else history.seed)
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)
        if history is not None:
            self.replay(history.day, seed)  # our step: the DataCollector records the replayed days
            self.replayed_to = history.day

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)
        if self.day >= self.horizon:
            self.running = False


def _slider(label: str, value: float, lo: float = 0.0, hi: float = 1.0, step: float = 0.05) -> dict:
    return {"type": "SliderFloat", "label": label, "value": value, "min": lo, "max": hi, "step": step}


MODEL_PARAMS = {
    "mvm": {"type": "Select", "label": "Mechanism design", "value": DEFAULTS["mvm"], "values": group_options("mvm")},
    "detection_prob": _slider("Detection", DEFAULTS["detection_prob"]),
    "attribution_accuracy": _slider("Attribution", DEFAULTS["attribution_accuracy"]),
    "penalty": _slider("Penalty", DEFAULTS["penalty"]),
    "mediation": {
        "type": "Select",
        "label": "Mediators",
        "value": DEFAULTS["mediation"],
        "values": group_options("mediation"),
    },
    "attack_rate": _slider("Attacks a day (mean)", DEFAULTS["attack_rate"], 0.0, 4.0, 0.01),
    "seed": {"type": "InputText", "label": "Seed", "value": DEFAULTS["seed"]},
}


#: The truce's state in words (sim/model/truce.py).
TRUCE_WORDS = {
    "holding": "the truce holds",
    "violated": "the truce has been violated but holds",
    "broken_down": "the truce has broken down",
    "renewed": "a renewed truce holds",
}
LATEST_EVENTS = 8


@solara.component
def LatestEvents(model: AppModel):
    """The latest events of the replicate's log, as conflict event data list them."""
    update_counter.get()
    latest = model.events()[-LATEST_EVENTS:][::-1]
    head = (
        "day",
        "event",
        "actor 1",
        "actor 2",
        "crossing",
        "killed",
        "Pakistan blames",
        "Afghanistan blames",
        "detail",
    )
    cells = [
        (e.day, e.event_type.replace("_", " "), e.actor1, e.actor2, e.crossing, e.fatalities) + e[6:] for e in latest
    ]
    # plain HTML: solara's Markdown loads KaTeX from a CDN the page may not reach
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in c) + "</tr>" for c in cells
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            "<b>Latest events</b> (the event log, newest first)"
            + ("" if latest else ": none yet")
            + '<table style="font-size:0.85em"><tr>'
            + "".join(f"<th>{h}</th>" for h in head)
            + f"</tr>{rows}</table>"
        ),
    )


@solara.component
def Status(model: AppModel):
    """The day, the date and the state of the truce, in words (redrawn after every step)."""
    from datetime import date, timedelta

    update_counter.get()
    today = (date.fromisoformat(model.config.scenario.start_date) + timedelta(days=model.day)).strftime("%d %b %Y")
    truce = TRUCE_WORDS[model.truce.state.value]
    if model.truce.broken_since is not None:
        truce += f" since day {model.truce.broken_since}"
    if model.truce.renewals:
        truce += f" ({model.truce.renewals} renewal{'s' if model.truce.renewals > 1 else ''} so far)"
    solara.Text(
        f"Day {model.day} ({today}): {truce}; {model.border.open_crossings} of {len(model.border.crossings)} "
        f"crossings open; trade at {100 * model.border.trade_index:.0f}% of its pre-crisis flow.",
        style={"font-size": "1.1em", "font-weight": "bold"},
    )
    c = model.config
    mechanism = (
        "no mechanism"
        if c.mvm.design == "none"
        else (
            f"mechanism {c.mvm.design}: detection {c.mvm.detection_prob:g}, attribution "
            f"{c.mvm.attribution_accuracy:g}, "
            f"penalty {c.mvm.penalty:g}"
        )
    )
    solara.Text(
        f"Running: {mechanism}; mediators: {', '.join(c.mediation.mediators) or 'none'}; "
        f"{c.spoilers.attack_rate:.3g} militant attacks a day; seed {c.run.seed}. "
        "Changed controls take effect on Reset."
    )
    if model.replayed_to is not None:
        changed = set(c.parameters.pinned) - {"run.seed"}
        solara.Info(
            f"Days 0-{model.replayed_to} replay a history that reproduces the record up to 5 Nov 2025 "
            f"(row {model.parameter_row} of the calibrated posterior, docs/calibration.md)"
            + ("; with the attack rate you set it may depart from the record." if changed else ".")
            + " From then on the seed decides."
        )
    if model.notice:
        solara.Warning(model.notice)


@solara.component
def Ensemble(model: AppModel):
    """Run N replicates of the model as last reset; draw survival and trade as the CLI does."""
    n = solara.use_reactive(200)
    images = solara.use_reactive(None)
    summary = solara.use_reactive("")
    busy = solara.use_reactive(False)

    def run() -> None:
        from .analysis import plots
        from .analysis.estimates import describe, estimate
        from .run.ensemble import run_ensemble

        busy.value = True
        try:
            config = with_values(model.config, {"run.replicates": int(n.value), "run.progress": False})
            result = run_ensemble(config)
            est = estimate(result.runs, config.run.horizon_days, config.definitions.headline)
            out = Path(tempfile.mkdtemp(prefix="ceasefire-app-"))
            start = config.scenario.start_date
            label = f"mechanism: {config.mvm.design}, mediators: {', '.join(config.mediation.mediators) or 'none'}"
            images.value = (
                plots.survival_plot(
                    est, out / "survival.png", start, title=f"How long the truce holds ({label})"
                ).read_bytes(),
                plots.trade_plot(
                    result.daily, result.runs, out / "trade.png", start, title=f"Trade across the border ({label})"
                ).read_bytes(),
            )
            summary.value = describe(est.summary, start)
        finally:
            busy.value = False

    with solara.Card("Ensemble of the model as last reset"):
        solara.SliderInt("Replicates", value=n, min=50, max=2000, step=50)
        solara.Button(f"Run {n.value} replicates", on_click=run, color="primary", disabled=busy.value)
        if busy.value:
            solara.ProgressLinear(True)
        if images.value:
            solara.Image(images.value[0], width="720px")
            solara.Image(images.value[1], width="720px")
            solara.Text(
                summary.value, style={"white-space": "pre-wrap", "font-family": "monospace", "font-size": "0.85em"}
            )


@solara.component
def StackedComponents(components: list, model: mesa.Model):
    """SolaraViz's components, one under the other.

    Stands in for SolaraViz's draggable grid (``ComponentsView``), whose front end
    (vue-grid-layout) fails in the browser with "GlobalVue.use is not a function" under
    solara 1.58-1.64 and Mesa 3.5, so that no component shows; the rest of SolaraViz
    (controls, parameters, information) is Mesa's own.
    """
    with solara.Column():
        for component in components:
            Live(component[0] if isinstance(component, tuple) else component, model)


@solara.component
def Live(component, model: mesa.Model):
    """A component redrawn after every step (Mesa's update counter)."""
    update_counter.get()
    return component(model)


solara_viz.ComponentsView = StackedComponents


def _axes(ylabel: str, ylim: tuple[float, float] | None = None):
    """A post-processing step for a Mesa plot component: label and limits (x: days since
    the ceasefire, at least the first 10; y: from 0)."""

    def post_process(ax) -> None:
        ax.set_ylabel(ylabel)
        ax.set_xlim(0, max(10.0, ax.get_xlim()[1]))
        if ylim:
            ax.set_ylim(*ylim)
        else:
            ax.set_ylim(0, max(1.0, ax.get_ylim()[1]))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")

    return post_process


def make_page(model: AppModel | None = None):
    """The SolaraViz page (a function so that tests can build it around their own model)."""
    model = model or AppModel()
    components = [
        (Status, 0),
        (LatestEvents, 0),
        make_plot_component(
            _colors(
                {
                    "trust_afg_in_pak": "tab:blue",
                    "trust_pak_in_afg": "tab:red",
                    "grievance_afg": "lightsteelblue",
                    "grievance_pak": "lightsalmon",
                }
            ),
            post_process=_axes("trust and grievance", (0, 1)),
        ),
        make_plot_component(
            _colors(
                {
                    "incidents": "black",
                    "detected": "tab:green",
                    "misattributed": "tab:orange",
                    "retaliations": "tab:red",
                }
            ),
            post_process=_axes("incidents so far"),
        ),
        make_plot_component(
            _colors({"open_crossings": "tab:gray"}),
            post_process=_axes(
                f"crossings open (of {len(model.border.crossings)})", (0, len(model.border.crossings) + 0.2)
            ),
        ),
        make_plot_component(
            _colors({"trade_index": "tab:orange"}), post_process=_axes("trade (1 = pre-crisis flow)", (0, 1.3))
        ),
        (Ensemble, 0),
    ]
    return SolaraViz(
        model, components=components, model_params=MODEL_PARAMS, name="ceasefire-sim: the 2025 truce, day by day"
    )


@solara.component
def Page():
    """What `solara run sim.app` serves: a model of its own for every visitor."""
    model = solara.use_memo(AppModel, [])
    return make_page(model)
