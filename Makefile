# The project's interface. `make pipeline` and `make test` are the two commands a new user
# needs; both install what they need first (setup is idempotent and stamp-file driven, so a
# second run reinstalls nothing).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

ENV ?= local
UV_VERSION := 0.13.8
PYTHON ?= python3
# make pipeline|pipeline-airflow|bench [EVENTS=n] [DAYS=n] [SEED=n] [START=yyyy-mm-dd] [INPUT=file.ndjson[.gz]] [CATALOG=file.ndjson[.gz]] [OUT=dir]
RUN_ARGS = --events "$(EVENTS)" --days "$(DAYS)" --seed "$(SEED)" --start "$(START)" \
	--input "$(INPUT)" --catalog "$(CATALOG)" --out "$(OUT)"

METRICS_DB = $(abspath $(or $(OUT),out))/warehouse.duckdb

TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
LOCK := requirements/dev.lock
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Airflow has its own environment: it must never be resolved together with dbt.
AIRFLOW_VENV := orchestration/.venv
AIRFLOW_PY := $(AIRFLOW_VENV)/bin/python
AIRFLOW_LOCK := requirements/airflow.lock
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed
# checkov has its own environment too: it pins a `packaging` that pytest 9 cannot use.
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_LOCK := requirements/checkov.lock
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

# jsii (under aws-cdk-lib) warns on Node 20 every start; the CLI phones home unless told not to.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export UV_PYTHON_DOWNLOADS := never

.PHONY: help setup browser lock test lint config profiles manifest synth pipeline bench docs clean
.PHONY: lock-airflow lock-checkov pipeline-airflow metrics
.PHONY: deploy preview redrive plan bench-transform

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# ------------------------------------------------------------------------------ setup
# Every environment is installed with its bytecode compiled (--compile-bytecode): where
# PYTHONDONTWRITEBYTECODE is set (it is on our machines, whose environment CI inherits),
# Python never writes .pyc itself, so each process (dbt, moto's server, checkov, Airflow,
# every test subprocess) would compile its imports from source again: 29% of a small
# `make pipeline` run's CPU (measured).
# An environment installed before this: `rm .venv/.installed` (and the other two) + make setup.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(STAMP): $(LOCK) pyproject.toml | $(UV)
	[ -x $(PY) ] || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(PY) --require-hashes $(LOCK)
	$(UV) pip install --quiet --python $(PY) --no-deps --editable .
	touch $@

$(AIRFLOW_STAMP): $(AIRFLOW_LOCK) pyproject.toml | $(UV)
	[ -x $(AIRFLOW_PY) ] || $(UV) venv --quiet --python $(PYTHON) $(AIRFLOW_VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(AIRFLOW_PY) --require-hashes $(AIRFLOW_LOCK)
	$(UV) pip install --quiet --python $(AIRFLOW_PY) --no-deps --editable .
	touch $@

$(CHECKOV_STAMP): $(CHECKOV_LOCK) | $(UV)
	[ -x $(CHECKOV_VENV)/bin/python ] || $(UV) venv --quiet --python $(PYTHON) $(CHECKOV_VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(CHECKOV_VENV)/bin/python --require-hashes $(CHECKOV_LOCK)
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The report's browser test needs a real Chromium: Debian's package, installed only where
# `command -v chromium` finds none (apt-get needs root; elsewhere, install it yourself).
browser: ## install Debian's chromium for the report's browser test, where missing
	@if command -v chromium >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing chromium (Debian package) for the report's browser test"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "chromium is missing and cannot be installed here (needs root and apt-get): install Debian's chromium package" >&2; \
		exit 1; \
	fi

setup: $(STAMP) $(AIRFLOW_STAMP) $(CHECKOV_STAMP) $(NODE_STAMP) browser ## install Python deps (locked), Airflow's and checkov's envs, the pinned CDK CLI and chromium

# `uv pip compile` has no --all-groups: name every [dependency-groups] entry of pyproject.toml.
LOCK_GROUPS = $(shell $(PYTHON) -c "import tomllib; print(' '.join('--group ' + g for g in tomllib.load(open('pyproject.toml', 'rb'))['dependency-groups']))")

lock: | $(UV) ## re-resolve requirements/dev.lock from pyproject.toml
	$(UV) pip compile pyproject.toml $(LOCK_GROUPS) --generate-hashes --universal \
		--python-version 3.11 --quiet -o $(LOCK)

lock-airflow: | $(UV) ## re-resolve requirements/airflow.lock from requirements/airflow.in
	$(UV) pip compile requirements/airflow.in --generate-hashes --universal \
		--python-version 3.11 --quiet -o $(AIRFLOW_LOCK)

lock-checkov: | $(UV) ## re-resolve requirements/checkov.lock from requirements/checkov.in
	$(UV) pip compile requirements/checkov.in --generate-hashes --universal \
		--python-version 3.11 --quiet -o $(CHECKOV_LOCK)

# ------------------------------------------------------------------------------ use
config: $(STAMP) ## print the resolved config of ENV as JSON
	@$(PY) -m podcast_analytics config --env "$(ENV)"

profiles: $(STAMP) ## regenerate transform/profiles.yml and dbt vars from the config
	@$(PY) -m podcast_analytics profiles

# Airflow's suite runs beside the main one: they share no state (each its own temporary
# directories and emulator ports), and neither keeps two cores busy on its own. Its output
# is printed after the main suite's; `make test` fails if either fails.
test: setup ## run every test (Airflow's in its own environment, beside the main suite)
	@airflow_log=$$(mktemp); \
	$(AIRFLOW_PY) -m pytest tests/orchestration > "$$airflow_log" 2>&1 & airflow=$$!; \
	trap 'kill $$airflow 2>/dev/null || true; rm -f "$$airflow_log"' EXIT; \
	status=0; $(PY) -m pytest || status=$$?; \
	airflow_status=0; wait $$airflow || airflow_status=$$?; \
	echo "=== Airflow's suite: $(AIRFLOW_PY) -m pytest tests/orchestration"; \
	cat "$$airflow_log"; \
	if [ $$status -ne 0 ]; then exit $$status; fi; exit $$airflow_status

lint: $(STAMP) ## ruff, actionlint, sqlfluff (Snowflake), and the generated dbt config is in step with the config
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m podcast_analytics profiles --check
	$(VENV)/bin/actionlint -shellcheck "$(CURDIR)/$(VENV)/bin/shellcheck"
	if [ -d transform/models ]; then $(VENV)/bin/sqlfluff lint transform/models; fi

manifest: $(STAMP) ## dbt parse for ENV: the manifest the CDK app ships to MWAA for cosmos
	@$(PY) -m podcast_analytics manifest --env "$(ENV)"

synth: setup manifest ## cdk synth for ENV (dev or prod), offline, with cdk-nag and checkov
	npx cdk synth --quiet -c env="$(ENV)"
	templates=(); for t in cdk.out/*.template.json; do templates+=(-f "$$t"); done; \
		$(CHECKOV) --quiet --compact --framework cloudformation --skip-download "$${templates[@]}"

# DRY_RUN=1 prints the plan without credentials; a real run needs the CDK CLI (node_modules).
deploy: $(STAMP) $(if $(filter 1,$(DRY_RUN)),,$(NODE_STAMP)) ## deploy ENV=dev|prod: CDK, Pulumi, hand-off, CDK, dbt (DRY_RUN=1: print the plan)
	@$(PY) -m podcast_analytics deploy --env "$(ENV)" $(if $(filter 1,$(DRY_RUN)),--dry-run)

preview: $(STAMP) $(if $(filter 1,$(DRY_RUN)),,$(NODE_STAMP)) ## pulumi preview + cdk diff for ENV=dev|prod, changing nothing
	@$(PY) -m podcast_analytics deploy --env "$(ENV)" --preview $(if $(filter 1,$(DRY_RUN)),--dry-run)

# ENDPOINT_URL=http://127.0.0.1:PORT points it at the local emulator instead of AWS.
# ENV=local re-drives OUT's dead_letters/ (default out/) into a file `make pipeline INPUT=` replays.
redrive: $(STAMP) ## re-send dead-lettered records of ENV that now pass (DRY_RUN=1: report only)
	@$(PY) -m podcast_analytics redrive --env "$(ENV)" $(if $(ENDPOINT_URL),--endpoint-url "$(ENDPOINT_URL)") $(if $(OUT),--out "$(OUT)") $(if $(filter 1,$(DRY_RUN)),--dry-run)

pipeline: $(STAMP) ## run the whole pipeline locally (moto + DuckDB); results in OUT (out/)
	@$(PY) -m podcast_analytics pipeline $(RUN_ARGS)

pipeline-airflow: $(STAMP) $(AIRFLOW_STAMP) ## run the real Airflow DAG locally (airflow dags test)
	@$(AIRFLOW_PY) orchestration/run_local.py $(RUN_ARGS)

# Q is what `mf query` takes; the answer comes from OUT's warehouse (default out/), which
# `make pipeline` builds. dbt parse first: mf reads transform/target/semantic_manifest.json.
Q ?= --metrics plays,unique_listeners --group-by metric_time__week --order metric_time__week
metrics: $(STAMP) ## ask the semantic layer: make metrics Q="--metrics unique_listeners --group-by metric_time__month"
	@test -f "$(METRICS_DB)" || { echo "no warehouse at $(METRICS_DB): run make pipeline first" >&2; exit 1; }
	@cd transform && PODCAST_DUCKDB_PATH="$(METRICS_DB)" ../$(VENV)/bin/dbt parse --quiet --target local --profiles-dir .
	@cd transform && PODCAST_DUCKDB_PATH="$(METRICS_DB)" DBT_PROFILES_DIR=. ../$(VENV)/bin/mf query $(Q)

bench: $(STAMP) ## benchmark the local pipeline stages [EVENTS=n]; writes OUT/bench.json
	@$(PY) -m podcast_analytics bench $(RUN_ARGS)

bench-transform: $(STAMP) ## time dbt on generated raw rows, no emulator [DAYS=n] [EVENTS_PER_DAY=n] [RUNS=n]; OUT/bench-transform.json
	@$(PY) -m podcast_analytics bench-transform --days "$(DAYS)" --events-per-day "$(EVENTS_PER_DAY)" --runs "$(RUNS)" $(if $(OUT),--out "$(OUT)")

plan: $(STAMP) ## capacity and cost plan of ENV [EVENTS_PER_DAY=n]; every price and limit sourced
	@$(PY) -m podcast_analytics plan --env "$(ENV)" --events-per-day "$(EVENTS_PER_DAY)" $(if $(OUT),--out "$(OUT)")

docs: $(STAMP) ## build the dbt docs site offline (transform/target/static_index.html)
	mkdir -p out
	cd transform && ../$(VENV)/bin/dbt docs generate --static --target local --profiles-dir .
	@echo "dbt docs site: transform/target/static_index.html (one file: open it in a browser)"

clean: ## remove build outputs (keeps the installed environments)
	rm -rf cdk.out out transform/target transform/logs .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './.venv/*' -not -path './node_modules/*' -prune -exec rm -rf {} +
