# The one interface for people and CI. `make run` and `make test` set
# everything up from nothing and are quick when nothing changed.
SHELL := /bin/bash
.DEFAULT_GOAL := help
APP := .venv/bin
PYTEST_ARGS ?=

.PHONY: help setup setup-app setup-engine setup-browser train run test test-fast eval-nlu eval-noise bench bench-turns bench-load lock validate clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: setup-app setup-engine  ## create .venv (our code) and .venv-engine (Rasa)

setup-app:
	@scripts/ensure-env app

setup-engine:
	@scripts/ensure-env engine

setup-browser:  ## Chromium for the page tests (Debian packages; needs root or sudo)
	@scripts/ensure-browser

train: setup  ## train the Rasa model if the training data changed
	@scripts/train-if-changed

run: train  ## start Rasa, the action server and the gateway (Ctrl-C stops all)
	@$(APP)/helpline run

test: train setup-browser  ## run the whole test suite (engine-env components, then unit, integration, engine, e2e)
	@PYTHONPATH=$(CURDIR) .venv-engine/bin/python -m pytest nlu_components/tests -q -p no:cacheprovider
	@# Unit and integration tests on both cores; the engine and e2e tiers start Rasa, one stack at a time.
	@# PYTEST_ARGS (options such as -k or -x) goes to both runs; one that selects nothing there is no failure.
	@$(APP)/pytest -n 2 tests/unit tests/integration $(PYTEST_ARGS) || { code=$$?; [ $$code -eq 5 ] && [ -n "$(PYTEST_ARGS)" ] || exit $$code; }
	@$(APP)/pytest tests/engine tests/e2e $(PYTEST_ARGS) || { code=$$?; [ $$code -eq 5 ] && [ -n "$(PYTEST_ARGS)" ] || exit $$code; }

test-fast: setup-app  ## unit and integration tests only
	@$(APP)/pytest -n 2 tests/unit tests/integration $(PYTEST_ARGS)

validate: setup  ## rasa data validate
	@PYTHONPATH=$(CURDIR) .venv-engine/bin/rasa data validate --config config.yml --domain domain.yml --data nlu_data

eval-nlu: train  ## score the served model on the held-out set; last line is JSON
	@scripts/eval-nlu

eval-noise: train  ## how calm the model stays on a CSV of text that is not reports: make eval-noise CORPUS=file.csv; one JSON line
	@[ -n "$(CORPUS)" ] || { echo "usage: make eval-noise CORPUS=path/to/file.csv [NOISE_ARGS='--column NAME --parses out.json'] (a CSV with a text column)" >&2; exit 2; }
	@scripts/with-rasa $(APP)/python bench/eval_noise.py "$(CORPUS)" $(NOISE_ARGS)

bench: setup-app  ## run the benchmarks; each prints one JSON line
	@$(APP)/python bench/routing.py
	@$(APP)/python bench/language.py
	@$(APP)/python bench/digest.py

bench-turns: train  ## turn latency and throughput, gateway vs Rasa's REST channel, SQLite and PostgreSQL; one JSON line
	@$(APP)/python bench/turns.py $(TURNS_ARGS)

bench-load: train  ## N reporters on three channels at once, then with Rasa, the actions, the gateway or PostgreSQL failing; one JSON line
	@$(APP)/python bench/load.py $(LOAD_ARGS)

lock: setup-app  ## re-resolve requirements/*.lock from pyproject.toml and requirements/engine.in
	VIRTUAL_ENV= $(APP)/uv pip compile requirements/engine.in --python-version 3.10 -o requirements/engine.lock -q --no-header
	VIRTUAL_ENV= $(APP)/uv pip compile pyproject.toml --extra dev --python-version 3.12 -o requirements/app.lock -q --no-header

clean:  ## remove environments, models and local data
	rm -rf .venv .venv-engine models var .pytest_cache
