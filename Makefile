# Everyday targets. `make run` and `make test` are the README's two set-up commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TSTAMP := $(VENV)/.test-installed

.PHONY: run test install install-test system-deps lint fix typecheck eval bench fixtures clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

$(TSTAMP): $(STAMP) requirements-test.txt
	$(BIN)/pip install -q -r requirements-test.txt
	touch $(TSTAMP)

install-test: $(TSTAMP) system-deps

# Debian packages the tests need: a CJK font (fixtures, screenshots) and chromium (the browser test).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; fi; \
	fi

run: install
	$(BIN)/cme-review index --quiet || true
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false

test: install-test
	$(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check review tests eval app.py
	$(BIN)/ruff format --check review tests eval app.py

fix:
	$(BIN)/ruff check --fix review tests eval app.py
	$(BIN)/ruff format review tests eval app.py

typecheck:
	$(BIN)/mypy

fixtures: install
	$(BIN)/python -m eval.make_fixtures

eval: install
	$(BIN)/cme-review eval

bench: install
	$(BIN)/python -m eval.bench

clean:
	rm -rf .cme_data eval/out .pytest_cache .mypy_cache .ruff_cache
