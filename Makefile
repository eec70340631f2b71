# Attendwise: the two set-up commands are `make demo` and `make test`.
# Both install what they need into .venv (via uv, itself kept in .tools).

PYTHON ?= python3.11
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
# PostgreSQL for the second test pass; `make test` skips it (and says so)
# when no server answers.
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/attendwise

.PHONY: demo test lint types check-migrations test-sqlite test-postgres bench clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(BIN)/attendwise: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	@touch $@

demo: $(BIN)/attendwise
	$(BIN)/attendwise demo --fresh

lint: $(BIN)/attendwise
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(BIN)/attendwise
	$(BIN)/mypy

check-migrations: $(BIN)/attendwise
	ATTENDWISE_HOME=$$(mktemp -d) $(BIN)/attendwise manage makemigrations --check --dry-run

test-sqlite: $(BIN)/attendwise
	$(BIN)/pytest -q

test-postgres: $(BIN)/attendwise
	@if $(BIN)/python -m attendwise.web.dbcheck "$(TEST_POSTGRES_URL)"; then \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest -q -m database; \
	else \
		echo "PostgreSQL did not answer at $(TEST_POSTGRES_URL): ran the tests on SQLite only."; \
	fi

test: lint types check-migrations test-sqlite test-postgres

bench: $(BIN)/attendwise
	$(BIN)/python -m benchmarks

clean:
	rm -rf .venv .tools var
