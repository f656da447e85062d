# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
PORT ?= 8000
# PostgreSQL for the second round of tests; skipped when none answers, unless REQUIRE_POSTGRES=1.
# The browser tests (tests/browser) run in the first round only: they test what a page does
# in Chromium, and every view they use runs on PostgreSQL in the second round's HTTP tests.
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/postgres

.PHONY: run test install lint check test-sqlite test-postgres messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

messages: install
	$(MANAGE) compilemessages --ignore=$(VENV) -v0

run: install messages
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install messages
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

test-sqlite: install messages
	env -u DATABASE_URL $(BIN)/pytest

test-postgres: install messages
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$(TEST_DATABASE_URL)" 2>/dev/null; then \
		echo "== tests on PostgreSQL ($(TEST_DATABASE_URL))"; \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(BIN)/pytest --ignore=tests/browser; \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ]; then \
		echo "PostgreSQL does not answer at $(TEST_DATABASE_URL), and REQUIRE_POSTGRES=1" >&2; exit 1; \
	else \
		echo "== PostgreSQL does not answer at $(TEST_DATABASE_URL): tests ran on SQLite only"; \
	fi

test: lint check test-sqlite test-postgres

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# Backups of DATABASE_URL's database (SQLite without it), the same scripts as docker-compose's
# backup service: `make backup`, then `make restore FILE=backups/seuranta-<timestamp>.dump`.
.PHONY: backup restore

backup:
	deploy/backup

restore:
	@if [ -z "$(FILE)" ]; then \
		echo "usage: make restore FILE=backups/seuranta-<timestamp>.dump (restores into DATABASE_URL)" >&2; exit 2; \
	fi
	deploy/restore "$(FILE)"
