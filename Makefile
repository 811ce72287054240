# Quick start: `make run` (set up + build the index + start the bot), `make test` (whole suite).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup test-deps run index lint test test-fast eval bench clean

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

# System packages the tests use: a real redis-server (shared-state tests) and a CJK font (the
# screenshot tests draw Chinese text). Installed from Debian when missing and we may (root).
test-deps:
	@command -v redis-server >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; } || \
		{ echo "redis-server is missing: install the Debian package redis-server" >&2; exit 1; }
	@fc-list :lang=zh 2>/dev/null | grep -q . || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null 2>&1; } || \
		echo "warning: no CJK font (Debian fonts-noto-cjk); screenshot tests will be skipped" >&2

test: lint test-deps
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
