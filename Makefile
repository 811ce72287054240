# Quick start: `make run` (set up + build the index + start the bot), `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup run index lint test test-fast eval bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

index: setup
	$(PY) -m ingest

# Sets everything up, builds (or reuses) the index and starts the bot:
# Telegram when TELEGRAM_BOT_TOKEN is set, otherwise a console chat.
run: index
	$(PY) -m bot

lint: setup
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

eval: index
	$(PY) -m bot.eval

bench: index
	$(PY) -m benchmarks.ingest_bench
	$(PY) -m benchmarks.load_bench
	$(PY) -m benchmarks.answer_bench

# Deletes the index only; users' state (PERSISTENCE_PATH, ./state by default) is kept.
clean:
	rm -rf data .pytest_cache
