# Hair loss guide: the command contract (see README.md).
#   make run    create .venv, install the app, serve http://127.0.0.1:5000
#   make test   install test needs (Debian's headless Chromium, nginx and wrk when allowed), lint, run the whole suite
#   make lint   ruff (triage, bench, tools) and mypy (triage), as configured in pyproject.toml
#   make serve  production: gunicorn on triage.wsgi:app, http://127.0.0.1:8000 (locked dependencies)
#   make upgrade  refresh requirements.lock (the runtime dependencies, pinned with hashes)
#   make bench  rule evaluation time, pages per second against a bare Flask app, bytes per page
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
# `make run` listens on 5000 and `make serve` on 8000, unless PORT is given.
ifeq ($(origin PORT),undefined)
RUN_PORT   := 5000
SERVE_PORT := 8000
else
RUN_PORT   := $(PORT)
SERVE_PORT := $(PORT)
endif

# The runtime dependencies, pinned with their hashes (make upgrade refreshes them).
LOCK := requirements.lock
PIP_TOOLS := pip-tools==7.6.2
TOOLS_VENV := $(VENV)/tools

.PHONY: help run serve upgrade test lint browser tools check bench audit clean

help:
	@echo "make run    serve the app on http://$(HOST):$(RUN_PORT) (development)"
	@echo "make serve  serve the app with gunicorn on http://$(HOST):$(SERVE_PORT) (production; see README)"
	@echo "make test   lint, then run the whole test suite, browser tests included"
	@echo "make lint   ruff and mypy (settings in pyproject.toml)"
	@echo "make check  validate the rule files and run the worked cases"
	@echo "make bench  measure rule evaluation, pages per second and page weight"
	@echo "make upgrade  refresh $(LOCK), the pinned runtime dependencies"

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

# The locked runtime dependencies first (hash-checked), then the app and its test extras.
$(VENV)/.installed-test: pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	@touch $@ $(VENV)/.installed-app

# Production installs exactly what $(LOCK) pins, each file checked against its hash,
# then the app itself with no dependencies of its own.
$(VENV)/.installed-locked: pyproject.toml $(LOCK) | $(PY)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

run: $(VENV)/.installed-app
	$(VENV)/bin/triage run --host $(HOST) --port $(RUN_PORT)

# Production. TRIAGE_ENV defaults to production here, so TRIAGE_SECRET_KEY is required;
# WEB_CONCURRENCY (workers, default 2), TRIAGE_HOSTS, TRIAGE_HTTPS and TRIAGE_ACCESS_LOG are
# read too. The rest of the settings are in triage/gunicorn_conf.py. It listens on
# 127.0.0.1 unless HOST is given: gunicorn must sit behind a buffering proxy
# (deploy/nginx.conf), never face clients itself.
serve: $(VENV)/.installed-locked
	@case "$(HOST)" in 127.*|localhost|::1|"[::1]") ;; \
	  *) echo "make serve: warning: HOST=$(HOST) is not a loopback address; gunicorn must sit behind a buffering proxy such as deploy/nginx.conf (README: Production)" >&2 ;; esac
	TRIAGE_ENV=$${TRIAGE_ENV:-production} exec $(VENV)/bin/gunicorn -c python:triage.gunicorn_conf \
	  --no-control-socket --bind $(HOST):$(SERVE_PORT) triage.wsgi:app

# Re-resolve the runtime dependencies of pyproject.toml to the newest versions it allows,
# pinned with the hashes of every file PyPI has for them. pip-tools runs from its own
# venv (inside .venv), so it never mixes with the app's packages. Review the diff, run
# make test, and commit $(LOCK).
upgrade:
	@[ -x $(TOOLS_VENV)/bin/pip-compile ] || { $(PYTHON) -m venv $(TOOLS_VENV) \
	  && $(TOOLS_VENV)/bin/python -m pip install -q --disable-pip-version-check $(PIP_TOOLS); }
	CUSTOM_COMPILE_COMMAND="make upgrade" $(TOOLS_VENV)/bin/pip-compile --quiet --upgrade --generate-hashes \
	  --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml
	@echo "$(LOCK) refreshed: review the diff, run make test, commit it"

# Playwright cannot download its own browser here: use a system Chromium. The tests prefer
# Debian's chromium-headless-shell (the headless-only build Playwright itself uses for headless
# runs): the browser tests take about a third less time with it than with the full chromium, which
# they use when it is the one there. Lighthouse (make audit) wants the full chromium.
BROWSER_PACKAGE ?= chromium-headless-shell
audit: BROWSER_PACKAGE = chromium
browser:
	@if [ -n "$$CHROMIUM_PATH" ]; then \
	  [ -x "$$CHROMIUM_PATH" ] || { echo "CHROMIUM_PATH=$$CHROMIUM_PATH is not an executable file" >&2; exit 1; }; \
	elif command -v $(BROWSER_PACKAGE) >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's $(BROWSER_PACKAGE) for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(BROWSER_PACKAGE) fonts-liberation >/dev/null; \
	elif [ "$(BROWSER_PACKAGE)" != chromium ] && command -v chromium >/dev/null 2>&1; then :; \
	else \
	  echo "No Chromium found. Install it (Debian: apt-get install $(BROWSER_PACKAGE)) or set CHROMIUM_PATH=/path/to/chromium" >&2; exit 1; \
	fi

# nginx (the scale-out test's load balancer) and wrk (the load test and the benchmark).
# Installed like Chromium: only when missing, and only as root with apt-get. A
# temporary policy-rc.d stops the nginx package from starting a server on port 80.
POLICY_RC ?= /usr/sbin/policy-rc.d
tools:
	@missing=""; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's$$missing for the production tests"; \
	  policy=""; if [ ! -e $(POLICY_RC) ]; then \
	    printf '#!/bin/sh\nexit 101\n' > $(POLICY_RC) && chmod +x $(POLICY_RC) && policy=1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  status=$$?; if [ -n "$$policy" ]; then rm -f $(POLICY_RC); fi; exit $$status; \
	else \
	  echo "Missing:$$missing. Install them (Debian: apt-get install$$missing); the production tests need them" >&2; exit 1; \
	fi

# ruff and mypy, as configured in pyproject.toml. `make test` runs it first (its first
# prerequisite after the install), so a finding fails the test run, and CI, before the suite starts.
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check triage bench tools
	$(VENV)/bin/mypy triage

# The suite runs in parallel (pytest-xdist): one worker per CPU. With --dist loadgroup each
# module outside tests/e2e runs on one worker, so its servers and fixtures start once, and the
# browser tests are dealt out one by one (tests/conftest.py). PYTEST_ARGS adds to or
# overrides it (PYTEST_ARGS="-n 0" runs it in one process).
PYTEST_ARGS ?=
test: $(VENV)/.installed-test lint browser tools
	REQUIRE_BROWSER_TESTS=1 $(PY) -m pytest -n auto --dist loadgroup $(PYTEST_ARGS)

# Prints figures only; see README.md ("Benchmark").
bench: $(VENV)/.installed-test tools
	$(PY) -m bench.run

# Lighthouse (mobile) on the start, a question, the result and /rules/ pages: prints the
# four category scores of each (median of 3 runs) and fails below 100. Not part of `make test` (about 3 minutes).
# Needs Node and npm (Lighthouse 12 from the npm registry) and the system Chromium.
audit: $(VENV)/.installed-test browser
	$(PY) -m bench.audit

check: $(VENV)/.installed-app
	$(VENV)/bin/triage rules check
	$(VENV)/bin/triage rules cases

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-results *.egg-info
