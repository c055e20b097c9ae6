# Everyday targets. `make run` and `make test` are the README's two set-up commands.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TSTAMP := $(VENV)/.test-installed

.PHONY: run test install install-test system-deps fonts lock lint fix typecheck deadcode eval bench fixtures clean

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

# Debian packages: a CJK font (page images, screenshots) for everyone; chromium for the browser test.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

fonts:
	@fc-list 2>/dev/null | grep -qi wqy || { $(SUDO) apt-get update -qq && $(APT) fonts-wqy-zenhei >/dev/null; } || echo "warning: could not install fonts-wqy-zenhei (page images may lack Chinese glyphs)"

system-deps: fonts
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && $(APT) chromium >/dev/null; }

run: install fonts
	$(BIN)/cme-review index --quiet || true
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false

test: install-test
	$(BIN)/python -m pytest -q

# ruff, then the architecture: import-linter contracts ([tool.importlinter] in pyproject.toml: review never
# imports eval/tests; front ends -> pipeline -> stages -> support -> core) and no block of 6+ similar lines in review/.
lint:
	$(BIN)/ruff check review tests eval app.py
	$(BIN)/ruff format --check review tests eval app.py
	$(BIN)/lint-imports
	$(BIN)/pylint --disable=all --enable=duplicate-code --min-similarity-lines=6 --score=n review

# Candidates for dead code (review/ read beside its callers in tests/ and eval/); a list to read, not a gate.
VULTURE_IGNORE := --ignore-decorators "@rule,@app.command,@field_validator,@model_validator,@pytest.fixture,@given" \
	--ignore-names "model_config,cls,_via_*,do_*,_get_relevant_documents,run_manager"
deadcode:
	-$(BIN)/vulture review app.py eval tests --min-confidence 60 $(VULTURE_IGNORE) | grep -E '^(review|app)'

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

# Regenerate the runtime lock from the current venv (after changing pyproject dependencies).
lock:
	$(BIN)/pip freeze --exclude-editable | grep -viE '^(pytest|pytest-timeout|hypothesis|playwright|ruff|mypy|import-linter|grimp|pylint|astroid|isort|mccabe|dill|tomlkit|platformdirs|vulture|wheel)==' | sed '1i # Runtime pins (full lock of the venv, kept in step with pyproject.toml: make lock)' > requirements.txt
