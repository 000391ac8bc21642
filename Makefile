# The README's two commands: `make up` (install, refresh, serve on :8501; `make up PORT=8600` for another port)
# and `make test`.
PYTHON ?= python3
PORT   ?= 8501
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)

.PHONY: up install system-deps check-port refresh serve test bench clean

# The port is checked before the refresh: a second `make up` stops at once instead of refreshing and then failing.
up: install
	@$(MAKE) --no-print-directory check-port
	@$(MAKE) --no-print-directory refresh
	@$(MAKE) --no-print-directory serve

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
	@command -v nginx >/dev/null 2>&1 || command -v /usr/sbin/nginx >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1 \
	      || echo "nginx could not be installed: the deployment tests (deploy/) will be skipped"; \
	  else echo "nginx not installed and not root: the deployment tests (deploy/) will be skipped"; fi; }

# Exit code 3 means "partial": some live source could not be reached (e.g. offline) and kept its last good data.
refresh: install
	$(BIN)/hsdash refresh || [ $$? -eq 3 ]

# Busy: something accepts connections on the port, or it cannot be bound (as the dashboard would bind it).
define PORT_BUSY
import socket, sys
port = int(sys.argv[1])
with socket.socket() as probe:
    probe.settimeout(1)
    if probe.connect_ex(("127.0.0.1", port)) == 0:
        sys.exit(0)
with socket.socket() as s:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        sys.exit(0)
sys.exit(1)
endef
export PORT_BUSY

check-port: install
	@if $(BIN)/python -c "$$PORT_BUSY" $(PORT); then \
	  echo "port $(PORT) is in use — is the dashboard already running? open http://localhost:$(PORT) or use make up PORT=$$(( $(PORT) + 1 ))" >&2; \
	  exit 1; fi

serve: install
	$(BIN)/hsdash serve --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest

reliability: install system-deps
	$(BIN)/python scripts/reliability.py

clean:
	rm -rf $(VENV) data/warehouses data/warehouse.duckdb data/state data/logs
