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
	@$(MAKE) --no-print-directory system-packages
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	@touch $@

# What WeasyPrint needs from the system to draw letters: Pango, HarfBuzz's
# font subsetter (PDFs three times faster) and metric-compatible fonts.
# Installed with apt-get when missing and allowed; otherwise say what to do.
SYSTEM_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2

.PHONY: system-packages
system-packages:
	@missing=""; for lib in $(SYSTEM_LIBS); do \
		ldconfig -p | grep -q "$$lib" || missing="$$missing $$lib"; done; \
	fc-list 2>/dev/null | grep -qi "liberation sans" || missing="$$missing fonts"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing $(SYSTEM_PACKAGES) for the letters"; \
			(apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
			 (apt-get update -q >/dev/null && apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null)); \
		else \
			echo "Letters need:$$missing (Debian: apt-get install $(SYSTEM_PACKAGES))"; \
		fi; \
	fi

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
