"""Reading profile files (YAML or JSON) as the profile contract wants them."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

__all__ = ["dates_as_text", "read_profile"]


def dates_as_text(value):
    """YAML reads 2015-06-01 as a date; the profile contract keeps ISO text."""
    if isinstance(value, dict):
        return {k: dates_as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [dates_as_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_profile(path: str | Path):
    """A profile file (``-`` for standard input): JSON when it ends in .json, else YAML."""
    path = str(path)
    text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    if path.endswith(".json"):
        return json.loads(text)
    import yaml
    return dates_as_text(yaml.safe_load(text))
