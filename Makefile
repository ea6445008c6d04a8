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

.PHONY: setup run test test-fast lint bench soak docs figures experiments app clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  py=$$($(FIND_PYTHON)) || { echo "ceasefire-sim needs Python >= 3.12 and found none on PATH or in pyenv."; \
	    echo "Install one (e.g. 'pyenv install 3.12', or your system's python3.12 package) and run make again."; exit 1; }; \
	  echo "creating $(VENV) with $$py"; $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,viz,calibration,decisions]"
	@touch $(STAMP)

run: setup
	$(PY) -m sim $(ARGS)

test: setup
	$(PY) -m pytest -n 2 --dist loadfile $(ARGS)

# the developer's loop: everything but the studies, subprocesses and statistical ensembles (pytest -m slow)
test-fast: setup
	$(PY) -m pytest -m "not slow" -q $(ARGS)

lint: setup
	$(PY) -m ruff check sim tests benchmarks experiments
	$(PY) -m ruff format --check sim tests benchmarks experiments

# every generated part of the docs from what is committed: the parameter table (the schema), the numbers of
# README.md and docs/*.md (docs/figures/, docs/studies/: sim/cli/doc_numbers.py), the README's table of studies
docs: setup
	$(PY) -m sim.docs --all
	$(PY) -m experiments --readme

# the figures and numbers of the README and docs/: first each study's report, tables and figures into
# docs/studies/NAME/ from experiments/results/ (run `make experiments` first; the run's printout quotes the
# shipped backtest); then the default forecast's (its figures, summary.json, its printout and the query by
# date; the same forecast with ten replicates a posterior row, for the parameter uncertainty; the forecast as
# of 30 October and its brief) into docs/figures/, from runs outside the source tree; then every generated
# number (make docs). The page's screenshot (docs/figures/app.png) is taken by the tests
FIGURES_RUN ?= $(or $(TMPDIR),/tmp)/ceasefire-figures
figures: setup
	$(PY) -m experiments --ship
	$(PY) -m sim hydra.run.dir=$(FIGURES_RUN) run.overwrite=true run.progress=false $(ARGS) > $(FIGURES_RUN).txt
	grep -v '^Outputs in ' $(FIGURES_RUN).txt > docs/figures/forecast.txt
	cp $(FIGURES_RUN)/survival.png $(FIGURES_RUN)/trade.png $(FIGURES_RUN)/dynamics.png $(FIGURES_RUN)/summary.json docs/figures/
	$(PY) -m sim.query $(FIGURES_RUN) --by 2026-01-31 > docs/figures/query.txt
	$(PY) -m sim.score $(FIGURES_RUN) conf/questions/record_to_5nov.yaml --out $(FIGURES_RUN)-scores > /dev/null
	cp $(FIGURES_RUN)-scores/scores.csv docs/figures/scores_record_to_5nov.csv
	$(PY) -m sim hydra.run.dir=$(FIGURES_RUN)-per-row run.overwrite=true run.progress=false run.figures=false \
	  run.events=false parameters.per_row=10 $(ARGS) > /dev/null
	cp $(FIGURES_RUN)-per-row/summary.json docs/figures/summary_per_row.json
	$(PY) -m sim hydra.run.dir=$(FIGURES_RUN)-as-of run.overwrite=true run.progress=false forecast.as_of=2025-10-30 \
	  'forecast.origins=[2025-10-24,2025-10-27]' $(ARGS) | grep '^Forecast as of' > docs/figures/forecast_as_of.txt
	$(PY) -m sim.brief $(FIGURES_RUN)-as-of --out docs/figures/brief.html
	-command -v chromium >/dev/null && chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	  --window-size=900,1500 --screenshot=docs/figures/brief.png file://$(CURDIR)/docs/figures/brief.html
	$(PY) -m sim.docs --all

# every study of experiments/ (the registry: experiments/__init__.py) at full size, in order;
# reports in experiments/results/<name>/results.md (the calibration here only reports:
# `python -m experiments.calibration --install` changes the defaults)
experiments: setup
	$(PY) -m experiments $(ARGS)

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
