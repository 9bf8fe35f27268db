# guidegen — set-up, site, tests. `make serve` and `make test` work on a fresh machine.
PYTHON ?= python3
APT_PACKAGES = chromium nginx-light fonts-wqy-microhei poppler-utils

.PHONY: setup system-packages python-packages node-packages site serve test bench clean

setup: system-packages python-packages node-packages

# Debian's chromium (browser tests, screenshots) and nginx (deployment test).
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v nginx >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); fi; \
	fi

python-packages:
	$(PYTHON) -m pip install -q --disable-pip-version-check -e ".[test]"

node-packages:
	npm ci --no-audit --no-fund --loglevel=error

site: setup
	$(PYTHON) -m mkdocs build --strict

serve: setup
	$(PYTHON) -m mkdocs serve -a 127.0.0.1:8000

test: setup
	$(PYTHON) -m pytest -q

bench: setup
	$(PYTHON) bench/run.py

clean:
	rm -rf site build dist src/*.egg-info .pytest_cache
