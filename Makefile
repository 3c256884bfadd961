# The few verbs people look for. `make run` and `make test` do all the set-up.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export RUNTIME__DLTHUB_TELEMETRY := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: install run dev test lint format docs bench clean help browser

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-9s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV)  ## create .venv with the locked dependencies
	$(UV) sync --frozen --compile-bytecode

run: install  ## the whole pipeline on the embedded default (demo mode without credentials)
	$(UV) run --frozen spotify-elt run

PORT ?= 3000
dev: install  ## the Dagster UI on 127.0.0.1:$(PORT) (schedule, lake sensor, alerts); Ctrl-C stops it
	$(UV) run --frozen python -m orchestration.dev --port $(PORT)

browser:  # Debian's headless chromium, for the tests that look at pages as a person would
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium (apt-get) for the browser tests"; \
	  $$(command -v sudo) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$(command -v sudo) apt-get install -y -qq chromium >/dev/null; }

# Two pytest workers, one test module each (modules share their pipeline runs): most of
# a test's time is spent in subprocesses and servers, so two cores carry two workers.
TEST_WORKERS ?= 2
test: install browser  ## the test suite (starts its own local servers)
	$(UV) run --frozen pytest -n $(TEST_WORKERS) --dist loadfile

lint: install  ## ruff, then sqlfluff on the dbt SQL (dbt_project/.sqlfluff)
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen sqlfluff lint dbt_project/models dbt_project/tests dbt_project/analyses

format: install
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

docs: install  ## serve the dbt docs site of the last run on 127.0.0.1:8080
	$(UV) run --frozen spotify-elt docs

bench: install  ## benchmarks: project vs DuckDB SQL vs pandas (BENCH_ARGS="--days 365")
	$(UV) run --frozen python -m benchmarks $(BENCH_ARGS)

clean:  ## remove data/ (the lake and the warehouse!) and build output
	rm -rf data dbt_project/target dbt_project/logs
