# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEVSET ?= ../shared/extraction-devset
NER_DEVSET ?= ../shared/ner-devset
# Prefect keeps its local state inside the repo (ignored by git), not in ~/.prefect.
export PREFECT_HOME ?= $(CURDIR)/var/prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 120
# No internet here: do not try to send usage telemetry.
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: install run test soak bench bench-parts eval ner-model lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo's database stays in the checkout (installed, the default is the user's data
# directory); the demo itself crawls its local replay without the polite delay.
run: $(STAMP)
	mkdir -p $(PREFECT_HOME) var
	NEWSFLOW_DATABASE_URL=$${NEWSFLOW_DATABASE_URL:-sqlite:///$(CURDIR)/var/newsflow.sqlite3} \
	$(BIN)/newsflow demo

# One pytest worker per core (pytest-xdist); a file's tests stay on one worker, so module and
# session fixtures (the Prefect test server, a PostgreSQL database) are built once per worker.
PYTEST_WORKERS ?= auto
test: $(STAMP)
	mkdir -p $(PREFECT_HOME)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=30

# The crash-safety tests with many more seeded kill points (minutes, not seconds), and the
# PostgreSQL runs of the longest end-to-end tests (make test runs those on SQLite), and the
# tests marked soak_only (the revisit measure, the rest of the recorded agencies).
soak: $(STAMP)
	mkdir -p $(PREFECT_HOME)
	NEWSFLOW_SOAK=1 $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "soak or postgres_in_soak or soak_only"

# The whole pipeline against the machine's limit (python -m benchmarks: a table and
# bench/results/latest.json; BENCH_ARGS="--articles 1000" for a quick run).
bench: $(STAMP)
	mkdir -p $(PREFECT_HOME)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# The parts one at a time (pytest-benchmark: extraction, store, dedup with 100,000 stored,
# each enricher, search and export with 200,000 stored); about ten minutes more.
bench-parts: $(STAMP)
	mkdir -p $(PREFECT_HOME)
	$(BIN)/pytest benchmarks --benchmark-only

eval: $(STAMP)
	$(BIN)/newsflow eval extraction $(DEVSET)
	$(BIN)/newsflow eval enrichment --format conll $(NER_DEVSET)/conll2003-en/valid.txt
	$(BIN)/newsflow eval enrichment --format factrueval $(NER_DEVSET)/factrueval2016-ru/devset

# Rebuild the English name model (newsflow/enrichment/ner/data/english.crfsuite, about 40 s)
# from CoNLL-2003's training split; the data stays outside the repository.
ner-model: $(STAMP)
	$(BIN)/python -m newsflow.enrichment.ner.training $(NER_DEVSET)/conll2003-en/train.txt

lint: $(STAMP)
	$(BIN)/ruff check newsflow crawlers flows db migrations tests
	$(BIN)/mypy newsflow crawlers flows db

clean:
	rm -rf $(VENV) var .pytest_cache
