# Hair loss guide: the command contract (see README.md).
#   make run    create .venv, install the app, serve http://127.0.0.1:5000
#   make test   install test needs (and Debian's Chromium when allowed), run the whole suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: help run test browser check clean

help:
	@echo "make run    serve the app on http://$(HOST):$(PORT) (development)"
	@echo "make test   run the whole test suite, browser tests included"
	@echo "make check  validate the rule files and run the worked cases"

$(PY):
	@$(PYTHON) -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
	      && $(PYTHON) -m venv $(VENV); \
	  else echo "python3 -m venv failed: install your distribution's python3-venv package" >&2; exit 1; fi; }
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip

# Stamps re-run the install only when pyproject.toml changes.
$(VENV)/.installed-app: pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@ $(VENV)/.installed-app

run: $(VENV)/.installed-app
	$(VENV)/bin/triage run --host $(HOST) --port $(PORT)

# Playwright cannot download its own browser here: use a system Chromium.
browser:
	@if [ -n "$$CHROMIUM_PATH" ]; then \
	  [ -x "$$CHROMIUM_PATH" ] || { echo "CHROMIUM_PATH=$$CHROMIUM_PATH is not an executable file" >&2; exit 1; }; \
	elif command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; \
	else \
	  echo "No Chromium found. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH=/path/to/chromium" >&2; exit 1; \
	fi

test: $(VENV)/.installed-test browser
	REQUIRE_BROWSER_TESTS=1 $(PY) -m pytest

check: $(VENV)/.installed-app
	$(VENV)/bin/triage rules check
	$(VENV)/bin/triage rules cases

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-results *.egg-info
