import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "catalogs"


@pytest.fixture(scope="session")
def catalog():
    from guidegen.catalog import load_catalog
    return load_catalog(CATALOG)


@pytest.fixture(scope="session")
def bundle(catalog):
    # Round-trip through JSON: the engine must work on exactly what the browser gets.
    return json.loads(json.dumps(catalog.bundle(), ensure_ascii=False))
