"""The interactive page: one scenario, day by day, and a small ensemble (Mesa SolaraViz).

    make app                      # or: solara run sim.app --host 127.0.0.1
    (needs the viz extra: pip install -e '.[viz]')

Controls on the left: a named what-if from 6 Nov 2025 (conf/whatif/), the mechanism
design and its main knobs (each slider shows its value and unit), the mediators from day
0, the militants' attack rate and the seed; Reset builds the model anew with them. Step
and play advance it a day at a time while the charts, dated, follow trust each way,
grievance, incidents by kind (all, detected by the mechanism, blamed on the wrong party,
state retaliations), the crossings open and the trade index; the status line says the
truce's state in plain words, and a warning says when the settings make the replayed
days depart from the record. The ensemble panel runs N replicates of the model as last reset and
draws the Kaplan-Meier curve and the trade chart with the command line's own code
(:func:`sim.analysis.plots.survival_plot`, :func:`sim.analysis.plots.trade_plot`).
"""

from __future__ import annotations

import html
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mesa
import mesa.visualization.solara_viz as solara_viz
import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from .analysis.by_date import record_note
from .analysis.status import EVENT_COLUMNS, date_on, event_cells, truce_in_words
from .core import outputs
from .core.errors import ConfigError
from .core.schema import Config, group_options
from .model import CeasefireModel
from .run.config import default_config, with_values
from .run.ensemble import reproduces_record
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
        "whatif": "none",  # the defaults list: whatif: null, the same configuration as whatif=none
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
    whatif: str = "none",
) -> Config:
    """The default scenario with the page's settings (validated like the command line's).

    A control left where it starts sets nothing: the mechanism and the mediators keep
    what the what-if chose (third_party_monitors picks its design), and a mechanism
    slider left alone keeps the chosen design's own value (the third-party monitors'
    attribution, the zero penalty of joint_no_penalty, ...); a moved one overrides it.
    With no mechanism the sliders have nothing to act on.
    """
    groups = [f"whatif={whatif}"]
    groups += [f"mvm={mvm}"] if mvm != DEFAULTS["mvm"] else []
    groups += [f"mediation={mediation}"] if mediation != DEFAULTS["mediation"] else []
    base = default_config(groups)
    values = {"run.seed": int(seed)}
    if attack_rate != DEFAULTS["attack_rate"]:  # untouched: as calibrated (drawn from the posterior)
        values["spoilers.attack_rate"] = attack_rate
    if base.mvm.design != "none":
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
        whatif: str = DEFAULTS["whatif"],
        attack_rate: float = DEFAULTS["attack_rate"],
        seed: int = DEFAULTS["seed"],
        rng: int | None = None,
    ):
        parsed = parse_seed(seed)
        notices = [] if parsed is not None else [f"seed '{seed}' is not a whole number >= 0: using {DEFAULTS['seed']}"]
        seed = DEFAULTS["seed"] if parsed is None else parsed
        settings = (mvm, detection_prob, attribution_accuracy, penalty, mediation, attack_rate, seed)
        try:
            config = page_config(*settings, whatif=whatif)
        except ConfigError as err:  # e.g. Türkiye's withdrawal with mediators that do not include it
            notices.append(f"the what-if {whatif} does not combine with these settings ({err}): running without it")
            config, whatif = page_config(*settings), "none"
        self.notice = "; ".join(notices)
        self.whatif = whatif
        seed = seed if rng is None else rng
        # as replicate `seed` of the command line: its row of the calibrated posterior, whose
        # history to 5 November it replays before going on with its own seed
        own, self.parameter_row, history = ReplicateConfigs(config)(seed)
        self.replayed_to: int | None = None
        self.record_match: bool | None = None
        super().__init__(own, rng=seed if history is None else history.seed)
        self.datacollector = mesa.DataCollector(model_reporters=REPORTERS)
        self.datacollector.collect(self)
        if history is not None:
            # our step: the DataCollector records the replayed days; as on the command line,
            # say whether the replayed days still reproduce the record under these settings
            self.record_match = self.replay(history.day, seed, lambda m: reproduces_record(m, history.day, own))
            self.replayed_to = history.day

    def step(self) -> None:
        super().step()
        self.datacollector.collect(self)
        if self.day >= self.horizon:
            self.running = False


def _slider(label: str, value: float, unit: str, lo: float = 0.0, hi: float = 1.0, step: float = 0.05) -> dict:
    return {"type": "SliderFloat", "label": label, "value": value, "min": lo, "max": hi, "step": step, "unit": unit}


#: What-ifs on the page: none (the forecast), then the named what-ifs of conf/whatif/.
WHATIFS = ["none", *(w for w in group_options("whatif") if w != "none")]

MODEL_PARAMS = {
    "whatif": {"type": "Select", "label": "What-if from 6 Nov 2025", "value": DEFAULTS["whatif"], "values": WHATIFS},
    "mvm": {"type": "Select", "label": "Mechanism design", "value": DEFAULTS["mvm"], "values": group_options("mvm")},
    "detection_prob": _slider("Detection", DEFAULTS["detection_prob"], "chance a watched incident is seen"),
    "attribution_accuracy": _slider(
        "Attribution", DEFAULTS["attribution_accuracy"], "chance a finding names the right party"
    ),
    "penalty": _slider("Penalty", DEFAULTS["penalty"], "share of the full penalty on a named violator"),
    "mediation": {
        "type": "Select",
        "label": "Mediators from day 0 (other than Türkiye and Qatar: rewrites the record)",
        "value": DEFAULTS["mediation"],
        "values": group_options("mediation"),
    },
    "attack_rate": _slider("Militant attacks", DEFAULTS["attack_rate"], "a day on average", 0.0, 4.0, 0.01),
    "seed": {"type": "InputText", "label": "Seed", "value": DEFAULTS["seed"]},
}


@solara.component
def LabelledSlider(name: str, options: dict, on_change):
    """A slider whose label shows its value, with its unit underneath (Mesa's shows neither)."""
    value = solara.use_reactive(options["value"])

    def changed(v: float) -> None:
        value.set(v)
        on_change(name, v)

    with solara.Column(gap="0px"):
        solara.SliderFloat(
            f"{options['label']} {value.value:g}",
            value=value.value,
            on_value=changed,
            min=options["min"],
            max=options["max"],
            step=options["step"],
        )
        solara.Text(options["unit"], style={"font-size": "0.8em", "color": "#666", "margin-top": "-12px"})


@solara.component
def PageInputs(user_params: dict, on_change=None):
    """The page's controls: Mesa's own (solara_viz.UserInputs), but sliders that show their
    value and unit."""
    sliders = {k: v for k, v in user_params.items() if isinstance(v, dict) and v.get("type") == "SliderFloat"}
    others = {k: v for k, v in user_params.items() if k not in sliders}
    for name, options in user_params.items():
        if name in sliders:
            LabelledSlider(name, options, on_change)
        else:
            MESA_INPUTS({name: others[name]}, on_change=on_change)


#: Mesa's own controls (kept across reloads of this module, which replace them with ours).
MESA_INPUTS = getattr(solara_viz, "mesa_user_inputs", solara_viz.UserInputs)
solara_viz.mesa_user_inputs = MESA_INPUTS
solara_viz.UserInputs = PageInputs


LATEST_EVENTS = 8


@solara.component
def LatestEvents(model: AppModel):
    """The latest events of the replicate's log, as conflict event data list them."""
    update_counter.get()
    latest = model.events()[-LATEST_EVENTS:][::-1]
    # plain HTML: solara's Markdown loads KaTeX from a CDN the page may not reach
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in event_cells(model, e)) + "</tr>" for e in latest
    )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            "<b>Latest events</b> (the event log, newest first)"
            + ("" if latest else ": none yet")
            + '<table style="font-size:0.85em"><tr>'
            + "".join(f"<th>{h}</th>" for h in EVENT_COLUMNS.values())
            + f"</tr>{rows}</table>"
        ),
    )


@solara.component
def Status(model: AppModel):
    """The day, the date and the state of the truce, in words (redrawn after every step);
    what is running; whether the replayed days still reproduce the record."""
    update_counter.get()
    solara.Text(
        f"Day {model.day} ({date_on(model, model.day)}): {truce_in_words(model)}; {model.border.open_crossings} of "
        f"{len(model.border.crossings)} crossings open; trade at {100 * model.border.trade_index:.0f}% of its "
        "pre-crisis flow.",
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
    whatif = "" if model.whatif == "none" else f"what-if {model.whatif} (from 6 Nov 2025); "
    solara.Text(
        f"Running: {whatif}{mechanism}; mediators: {', '.join(c.mediation.mediators) or 'none'}; "
        f"{c.spoilers.attack_rate:.3g} militant attacks a day; seed {c.run.seed}. "
        "Changed controls take effect on Reset."
    )
    if model.replayed_to is not None and model.record_match is not False:
        changed = set(c.parameters.pinned) - {"run.seed"}
        solara.Info(
            f"Days 0-{model.replayed_to} replay a history that reproduces the record up to 5 Nov 2025 "
            f"(row {model.parameter_row} of the calibrated posterior, docs/calibration.md)"
            + ("; with the attack rate you set it may depart from the record." if changed else ".")
            + " From then on the seed decides."
        )
    if model.record_match is False:
        solara.Warning(
            f"Days 0-{model.replayed_to} replay the history of row {model.parameter_row} of the calibrated posterior, "
            "but with these settings it no longer reproduces the record to 5 Nov 2025 (settings that change the days "
            "before the forecast date, or a model changed since its calibration): this is a what-if from the "
            "ceasefire on, not a forecast from today. The what-ifs of the first list change things from 6 Nov 2025 "
            "on and keep the record."
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
            note = record_note(result.runs)
            summary.value = describe(est.summary, start) + (f"\n{note}" if note else "")
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


@dataclass(frozen=True)
class Chart:
    """A chart of the page: series and counts by their declared names, with colours."""

    colors: dict[str, str]
    ylabel: str
    ylim: tuple[float, float] | None = None


def chart_figure(model: AppModel, chart: Chart):
    """The chart of the days run so far, with dates on its x axis (day 0 is the
    scenario's start date; at least the first 10 days shown) and its y label and limits."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.subplots()
    frame = model.datacollector.get_model_vars_dataframe()
    for label, color in _colors(chart.colors).items():
        ax.plot(frame.index, frame[label], label=label, color=color)
    ax.set_xlim(0, max(10.0, len(frame) - 1))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: date_on(model, x)))
    ax.set_xlabel("date (19 Oct 2025: the ceasefire)")
    ax.set_ylabel(chart.ylabel)
    ax.set_ylim(*(chart.ylim or (0, max(1.0, ax.get_ylim()[1]))))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig


def dated_chart(chart: Chart):
    """A page component drawing ``chart`` (Mesa's plot component labels its x axis
    "Step" whatever its post-processing does: this one reads dates)."""

    @solara.component
    def DatedChart(model: AppModel):
        update_counter.get()
        solara.FigureMatplotlib(chart_figure(model, chart), format="png", bbox_inches="tight")

    return DatedChart


def page_charts(model: AppModel) -> list[Chart]:
    """The page's charts: trust and grievance, incidents so far, crossings open, trade."""
    crossings = len(model.border.crossings)
    return [
        Chart(
            {
                "trust_afg_in_pak": "tab:blue",
                "trust_pak_in_afg": "tab:red",
                "grievance_afg": "lightsteelblue",
                "grievance_pak": "lightsalmon",
            },
            "trust and grievance",
            (0, 1),
        ),
        Chart(
            {"incidents": "black", "detected": "tab:green", "misattributed": "tab:orange", "retaliations": "tab:red"},
            "incidents so far",
        ),
        Chart({"open_crossings": "tab:gray"}, f"crossings open (of {crossings})", (0, crossings + 0.2)),
        Chart({"trade_index": "tab:orange"}, "trade (1 = pre-crisis flow)", (0, 1.3)),
    ]


def make_page(model: AppModel | None = None):
    """The SolaraViz page (a function so that tests can build it around their own model)."""
    model = model or AppModel()
    components = [
        (Status, 0),
        (LatestEvents, 0),
        *((dated_chart(chart), 0) for chart in page_charts(model)),
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
