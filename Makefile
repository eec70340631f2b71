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

# The web application's front end: GOV.UK Frontend and MOJ Frontend from the
# npm registry (package-lock.json pins them), compiled into the ui app's
# static folder, which Django serves. node_modules/ and dist/ are not committed.
DIST := src/attendwise/web/ui/static/ui/dist
ASSETS := $(DIST)/app.css
# Browser tests drive Debian's chromium; `make test` installs it as root
# when it is missing, and the tests say so and skip when it cannot.
CHROMIUM := /usr/bin/chromium

.PHONY: demo test lint types check-migrations test-sqlite test-postgres bench clean \
	assets chromium serve

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

demo: $(BIN)/attendwise $(ASSETS)
	ATTENDWISE_HOME=var/demo $(BIN)/attendwise demo --fresh

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS): node_modules/.package-lock.json $(wildcard src/attendwise/web/ui/assets/*.scss)
	mkdir -p $(DIST)/assets/images
	npx sass --load-path=. --quiet --no-source-map --style=compressed \
		src/attendwise/web/ui/assets/app.scss $(ASSETS)
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(DIST)/
	cp node_modules/govuk-frontend/dist/govuk/assets/images/* \
		node_modules/@ministryofjustice/frontend/moj/assets/images/* $(DIST)/assets/images/

assets: $(ASSETS)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "chromium is missing and cannot be installed here (needs root and apt): the browser tests will be skipped."; \
		fi; \
	fi


serve: $(BIN)/attendwise $(ASSETS)
	$(BIN)/attendwise serve

lint: $(BIN)/attendwise
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

types: $(BIN)/attendwise
	$(BIN)/mypy

check-migrations: $(BIN)/attendwise
	ATTENDWISE_HOME=$$(mktemp -d) $(BIN)/attendwise manage makemigrations --check --dry-run

test-sqlite: $(BIN)/attendwise $(ASSETS) chromium
	$(BIN)/pytest -q

test-postgres: $(BIN)/attendwise $(ASSETS) chromium
	@if $(BIN)/python -m attendwise.web.dbcheck "$(TEST_POSTGRES_URL)"; then \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(BIN)/pytest -q -m database; \
	else \
		echo "PostgreSQL did not answer at $(TEST_POSTGRES_URL): ran the tests on SQLite only."; \
	fi

test: lint types check-migrations test-sqlite test-postgres

bench: $(BIN)/attendwise $(ASSETS)
	$(BIN)/python -m benchmarks

clean:
	rm -rf .venv .tools var node_modules $(DIST)
