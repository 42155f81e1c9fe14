# carnet: `make run` starts a server, `make test` runs everything CI runs.
# Needs Python 3.10+ and Node 20 with npm; everything else is installed here.

PYTHON ?= python3
UV := $(PYTHON) -m uv
ROOT ?= $(CURDIR)
PORT ?= 8888
VENV := .venv
STATIC := src/carnet/static/index.html
FE_SOURCES := $(shell find frontend/src frontend/public frontend/index.html frontend/vite.config.ts frontend/package.json frontend/tsconfig.json -type f 2>/dev/null)
CHROMIUM ?= /usr/bin/chromium

.PHONY: help env fe run test lint typecheck imports pytest chromium bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(VENV)/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked
	@touch $@

env: $(VENV)/.synced  ## create the Python environment (uv) with carnet installed

frontend/node_modules/.package-lock.json: frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund

$(STATIC): frontend/node_modules/.package-lock.json $(FE_SOURCES)
	cd frontend && npm run build

fe: $(STATIC)  ## build the frontend into src/carnet/static

run: env fe  ## start carnet on ROOT (default: this directory) at 127.0.0.1:PORT
	$(UV) run --locked carnet --ip=127.0.0.1 --port=$(PORT) --root-dir="$(ROOT)"

lint: env  ## ruff
	$(UV) run --locked ruff check src tests bench hatch_build.py
	$(UV) run --locked ruff format --check src tests bench hatch_build.py

typecheck: env fe  ## mypy strict and tsc strict
	$(UV) run --locked mypy
	cd frontend && npm run typecheck

imports: env  ## the layer rules of ARCHITECTURE.md
	$(UV) run --locked lint-imports

chromium:  ## Debian's chromium for browser tests (installed when missing and root)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: run 'sudo apt-get install chromium'" >&2; exit 1; fi; \
	fi
	@test -x $(CHROMIUM) || { echo "chromium is still missing at $(CHROMIUM)" >&2; exit 1; }

tests/hub/node/node_modules/.package-lock.json: tests/hub/node/package-lock.json
	cd tests/hub/node && npm ci --no-audit --no-fund

pytest: env fe chromium tests/hub/node/node_modules/.package-lock.json
	$(UV) run --locked pytest -q

test: lint typecheck imports pytest  ## everything CI checks

bench: env fe  ## benchmarks; results in bench/results/
	$(UV) run --locked python bench/carnet_bench.py

clean:  ## remove built assets and the environment
	rm -rf $(VENV) src/carnet/static frontend/node_modules
