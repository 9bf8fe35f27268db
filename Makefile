# guidegen — set-up, site, tests. `make serve` and `make test` work on a fresh machine.
#
# Python packages go into the project's own environment, .venv/ (python3 -m venv): no
# root, and the system Python is never touched. `make serve` needs nothing else but
# Node/npm for the calculator's Pyodide runtime (npm ci, into node_modules/). Only
# `make test` installs Debian packages — chromium, nginx, fonts — with apt (as root or
# with sudo), and only when they are missing.
PYTHON ?= python3
VENV = .venv
VPY = $(VENV)/bin/python
APT_PACKAGES = chromium nginx-light fonts-wqy-microhei poppler-utils
SERVE_ADDR ?= 127.0.0.1:8000
# The site's engine (guidegen site --engine): properdocs (pinned), or zensical from its own
# environment (docs-dev/engine-move.md), e.g. `make site ENGINE=zensical`.
ENGINE ?= properdocs

.PHONY: setup test-setup system-packages venv node-packages site editions serve test test-fast regions bench clean

# ------------------------------------------------------------------ set-up (re-run only when inputs change)

# The environment. Debian's python3 without python3-venv has no ensurepip: then the
# environment is made without pip and pip is put into it by the system's pip.
$(VPY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "guidegen needs Python ≥ 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); $(PYTHON) -m venv --without-pip $(VENV) && $(PYTHON) -m pip --python $(VPY) install -q pip; }

$(VENV)/.installed: pyproject.toml | $(VPY)
	$(VPY) -m pip install -q --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(VPY) -m pip install -q --disable-pip-version-check -e ".[test]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

venv: $(VENV)/.installed
node-packages: node_modules/.installed
setup: venv node-packages
test-setup: system-packages $(VENV)/.installed-test node-packages

# Debian's chromium (browser tests, screenshots), nginx (deployment tests), CJK fonts.
system-packages:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v pdftotext >/dev/null 2>&1 || \
	    { ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; }; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); fi; \
	fi

# ------------------------------------------------------------------ the two commands

serve: setup
	$(VPY) -m properdocs serve -f mkdocs.yml -a $(SERVE_ADDR)

test: test-setup
	$(VPY) -m pytest -q

# The fast tier: engine, catalog, CLI — no browser, no node, no site build (under a minute).
test-fast: $(VENV)/.installed-test
	$(VPY) -m pytest -q -m "not slow"

# ------------------------------------------------------------------ more

site: setup
	$(VPY) -m guidegen.cli site --engine $(ENGINE) site

# Every bureau edition (editions/*.yml) into build/site-NAME/.
editions: setup
	@for f in editions/*.yml; do echo "== $$f"; $(VPY) -m guidegen.cli site --engine $(ENGINE) --edition $$f build/site-$$(basename $$f .yml) || exit 1; done

# The administrative divisions compiled afresh from the pinned npm packages (node) into the
# vendored catalogs/regions.compiled.json, which the catalog loader reads.
regions: setup
	$(VPY) -m guidegen.catalog.regions catalogs

bench: test-setup
	$(VPY) bench/run.py

clean:
	rm -rf site build dist src/*.egg-info .pytest_cache
