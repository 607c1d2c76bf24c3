# One-command entry points. Every target sets the machine up itself, so a fresh
# clone needs nothing but Python 3.10+ and (for the audio corpus) Debian packages.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
APT_PACKAGES := espeak-ng asterisk-core-sounds-en-wav libsndfile1 valgrind
RESULTS ?= results

.PHONY: setup system-deps demo test test-quick bench lint clean

setup: $(STAMP)

system-deps:
	@bash scripts/install_system_deps.sh $(APT_PACKAGES)

$(STAMP): pyproject.toml scripts/install_system_deps.sh
	@bash scripts/install_system_deps.sh $(APT_PACKAGES)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,models]'
	@touch $(STAMP)

demo: $(STAMP)
	$(PY) scripts/demo.py --out $(RESULTS)

# Two pytest workers, each taking whole test files (module fixtures stay shared); TEST_WORKERS=0 runs serially.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile

test-quick: $(STAMP)
	$(PY) -m pytest -q -m "not slow"

# `make bench AGAINST=REV` compares with git revision REV instead (docs/bench.md):
# BENCH_WORKLOADS and BENCH_ROUNDS choose what runs and how many base/working-tree alternations;
# BENCH_COUNT=instructions counts each run's instructions under callgrind instead of timing it.
AGAINST ?=
BENCH_WORKLOADS ?= erlang_a,list_campaign
BENCH_COUNT ?= time
BENCH_ROUNDS ?= $(if $(filter instructions,$(BENCH_COUNT)),1,3)

bench: $(STAMP)
ifeq ($(AGAINST),)
	$(VENV)/bin/dialer-sim bench --json $(RESULTS)/bench/dialer.json --force
	$(VENV)/bin/amd-bench rtf --json $(RESULTS)/bench/amd_rtf.json
else
	nice $(VENV)/bin/dialer-sim bench --against $(AGAINST) --rounds $(BENCH_ROUNDS) --count $(BENCH_COUNT) \
		--workloads $(BENCH_WORKLOADS) --json $(RESULTS)/bench/against_$(AGAINST)_$(BENCH_COUNT).json --force
endif

lint: $(STAMP)
	$(VENV)/bin/ruff check callvocab oneline atomicdir dialer_sim amd experiments tests scripts

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
