# Two commands do all the set-up on a fresh machine (Python 3.11, JDK 17+, Maven):
#   make demo   local Kafka broker + worker, publishes seeds/, prints the quotes
#   make test   the whole suite, integration tests against a real broker included
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
POLNEAR ?= ../shared/data/polnear
CONLL ?= ../shared/data/conll2003/dev.jsonl

.PHONY: install install-bench system-deps demo test lint bench bench-quotes bench-entities faults broker-start broker-stop clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

install-bench: $(VENV)/.bench-installed

# The broker needs a JDK (17+) and Maven; the live page's end-to-end test needs Debian's chromium.
system-deps:
	@command -v java >/dev/null || { echo "a JDK 17+ is needed (java on PATH)"; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is needed (mvn on PATH)"; exit 1; }
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed (apt-get install chromium): the live page test will be skipped"; fi; \
	fi

demo: install
	$(BIN)/streams demo

test: install system-deps
	$(BIN)/ruff check streams tests benchmarks
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check streams tests benchmarks
	$(BIN)/ruff format --check streams tests benchmarks

bench-quotes: install-bench
	$(BIN)/python -m benchmarks.quotes --split $(POLNEAR)/dev.jsonl --split $(POLNEAR)/train.jsonl \
	  --errors /tmp/streams-quotes-cache/quote-errors.jsonl --json benchmarks/results/quotes.json

# CoNLL-2003 dev per label (ours against bare en_core_web_sm) and PolNeAR dev + train person identity.
# Parses each corpus once into a cache under the system's temporary directory; later runs reuse it.
bench-entities: install
	$(BIN)/python benchmarks/entities.py --conll $(CONLL) --polnear $(POLNEAR) --json benchmarks/results/entities.json

bench: install-bench
	$(BIN)/python benchmarks/throughput.py --corpus $(POLNEAR)/train.jsonl

faults: install
	$(BIN)/python benchmarks/faults.py

broker-start: install
	$(BIN)/streams broker start

broker-stop: install
	$(BIN)/streams broker stop

clean:
	-$(BIN)/streams broker stop
	rm -rf $(VENV) .kafka .kafka-test .streams-data .pytest_cache .ruff_cache
