# ceasefire-sim: `make run` sets up .venv (Python >= 3.12) and runs the default scenario;
# `make test` runs the tests. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
ARGS ?=

# A Python >= 3.12 on PATH, or installed by pyenv.
FIND_PYTHON = for p in python3.12 python3.13 python3 python \
	  $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -V); do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    command -v $$p; exit 0; fi; done; exit 1

.PHONY: setup run test lint bench soak docs figures experiments app clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  py=$$($(FIND_PYTHON)) || { echo "ceasefire-sim needs Python >= 3.12 and found none on PATH or in pyenv."; \
	    echo "Install one (e.g. 'pyenv install 3.12', or your system's python3.12 package) and run make again."; exit 1; }; \
	  echo "creating $(VENV) with $$py"; $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,viz]"
	@touch $(STAMP)

run: setup
	$(PY) -m sim $(ARGS)

test: setup
	$(PY) -m pytest $(ARGS)

lint: setup
	$(PY) -m ruff check sim tests benchmarks experiments
	$(PY) -m ruff format --check sim tests benchmarks experiments

docs: setup
	$(PY) -m sim.docs

# the figures of the README and docs/ in docs/figures/: the default forecast's, from a run outside
# the source tree, and the studies' from experiments/results/ (run `make experiments` first);
# the page's screenshot (docs/figures/app.png) is taken by the tests
FIGURES_RUN ?= $(or $(TMPDIR),/tmp)/ceasefire-figures
STUDY_FIGURES := experiments/mechanism_designs:mechanism_designs/differences \
	experiments/detection_vs_penalty:detection_vs_penalty/heatmap experiments/mediation:mediation/rmst \
	experiments/spoiler_pressure:spoiler_pressure/dose_response experiments/trade_recovery:trade_recovery/trade \
	experiments/trade_recovery_losses:trade_recovery/losses experiments/zopa:zopa/zopa experiments/zopa_issues:zopa/issues \
	sensitivity/morris:sensitivity/morris sensitivity/sobol:sensitivity/sobol \
	calibration/checks:calibration/checks calibration/posterior:calibration/posterior calibration/sbc:calibration/sbc \
	calibration/forecast:calibration/forecast calibration/backtest:calibration/backtest \
	decisions/peeling:decisions/peeling decisions/boxes:decisions/boxes decisions/cart:decisions/cart \
	decisions/robustness:decisions/robustness decisions/voi:decisions/voi
figures: setup
	$(PY) -m sim hydra.run.dir=$(FIGURES_RUN) run.overwrite=true $(ARGS)
	cp $(FIGURES_RUN)/survival.png $(FIGURES_RUN)/trade.png $(FIGURES_RUN)/dynamics.png docs/figures/
	@for pair in $(STUDY_FIGURES); do src=experiments/results/$${pair#*:}.png; dst=docs/figures/$${pair%%:*}.png; \
	  if [ -f $$src ]; then mkdir -p $$(dirname $$dst) && cp $$src $$dst && echo "$$src -> $$dst"; else echo "missing $$src (make experiments)"; fi; done

# every study of experiments/ at full size; reports in experiments/results/<name>/results.md
# (calibration here only reports; `python -m experiments.calibration --install` changes the defaults)
EXPERIMENTS := mechanism_designs detection_vs_penalty mediation spoiler_pressure trade_recovery zopa decisions sensitivity calibration
experiments: setup
	@for e in $(EXPERIMENTS); do $(PY) -m experiments.$$e $(ARGS) || exit $$?; done

# the interactive page on http://127.0.0.1:8765 (this machine only). Where Solara's CDN
# (cdn.jsdelivr.net) is unreachable, its front-end files come from the npm registry first.
APP_PORT ?= 8765
app: setup
	@-command -v npm >/dev/null && $(PY) -m sim.viz_assets >/dev/null || true
	$(VENV)/bin/solara run sim.app --host 127.0.0.1 --port $(APP_PORT) --production

bench: setup
	$(PY) benchmarks/bench.py $(ARGS)

# 40 runs and 10 sweeps killed at random moments, each resumed: byte-identical folders, no process left behind
soak: setup
	$(PY) benchmarks/soak.py $(ARGS)

clean:
	rm -rf $(VENV) outputs multirun .pytest_cache .ruff_cache
