"""Shared fixtures and the two test tiers.

Tiers: tests marked ``slow`` (module-wide ``pytestmark`` in the browser, site, nginx,
Pyodide and node test files) are left out by ``make test-fast`` (``pytest -m "not slow"``);
``make test`` runs everything. A test marked ``browser``, ``nginx`` or ``pyodide`` is slow
even when its module is not (e.g. the desk page tests in test_desk.py).

The site: :func:`site_command` is the one place the tests say how the site generator is
run; :func:`build_site` runs it; the default site (the project's own config) is built
once per run by :func:`default_site` and shared by every module (fixture ``site_build``).
"""

import functools
import json
import os
import subprocess
import sys
import tempfile
import atexit
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalogs"
# Markers that mean "needs a browser, a server or node": such a test is slow wherever it stands.
SLOW_KINDS = ("browser", "nginx", "pyodide")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


# ------------------------------------------------------------------ the site, built once

def site_command(out: Path, config: Path | str | None = None) -> list[str]:
    """The command line that builds a site from ``config`` (default: the project's mkdocs.yml)
    into ``out``, strict: a warning fails the build. Run in ROOT with :func:`site_env`."""
    # ProperDocs (pinned), the maintained MkDocs 1.x: the engine of `guidegen site` (docs-dev/engine-move.md)
    return [sys.executable, "-m", "properdocs", "build", "--strict", "-f", str(config or ROOT / "mkdocs.yml"),
            "-d", str(out)]


def site_env() -> dict:
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")


def build_site(out: Path, config: Path | str | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    """Build a site into ``out``; the completed process (the caller judges its output)."""
    return subprocess.run(site_command(out, config), cwd=ROOT, env=site_env(), capture_output=True, text=True,
                          timeout=timeout)


@functools.lru_cache(maxsize=None)
def default_site() -> tuple[Path, subprocess.CompletedProcess]:
    """(site folder, build process) of the project's own site, built once per test run."""
    scratch = Path(tempfile.mkdtemp(prefix="guidegen-site-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    out = scratch / "site"
    return out, build_site(out)


@pytest.fixture(scope="session")
def site_build():
    """(site folder, build process) of the default site; test_site checks the build's output."""
    return default_site()


# ------------------------------------------------------------------ the catalog

@pytest.fixture(scope="session")
def catalog():
    from guidegen.catalog import load_catalog
    return load_catalog(CATALOG)


@pytest.fixture(scope="session")
def bundle(catalog):
    # Round-trip through JSON: the engine must work on exactly what the browser gets.
    return json.loads(json.dumps(catalog.bundle(), ensure_ascii=False))
