# The README's two commands: `make up` (install, refresh, serve on :8501) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)

.PHONY: up install system-deps refresh serve test bench clean

up: install refresh serve

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Chromium renders PNG/SVG/PDF exports (kaleido) and drives the browser tests (Playwright).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed and not root: image exports and browser tests will be skipped"; fi; }

# Exit code 3 means "partial": some live source could not be reached (e.g. offline) and kept its last good data.
refresh: install
	$(BIN)/hsdash refresh || [ $$? -eq 3 ]

serve: install
	$(BIN)/hsdash serve --port 8501

test: install system-deps
	$(BIN)/python -m pytest

reliability: install system-deps
	$(BIN)/python scripts/reliability.py

clean:
	rm -rf $(VENV) data/warehouses data/warehouse.duckdb data/state data/logs
