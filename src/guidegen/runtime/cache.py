"""The build's cache of slow, deterministic outputs (bytecode compiled by Pyodide, Zopfli twins):
in memory for the process and on disk in ``$XDG_CACHE_HOME/guidegen/KIND/`` (``~/.cache`` by
default), keyed by everything the output depends on, so a second build costs nothing. A cache
that cannot be written only makes the build slower: the bytes are the same."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

__all__ = ["cached_bytes"]

_MEMO: dict[tuple[str, str], bytes] = {}


def _folder(kind: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "guidegen" / kind


def cached_bytes(kind: str, key: str, make: Callable[[], bytes]) -> bytes:
    """``make()``'s bytes for ``key`` (a hex digest of every input), made once."""
    if (kind, key) in _MEMO:
        return _MEMO[kind, key]
    path = _folder(kind) / key
    try:
        data = path.read_bytes()
    except OSError:
        data = make()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            part = path.with_name(f"{key}.{os.getpid()}.tmp")
            part.write_bytes(data)
            part.replace(path)  # whole or not at all: builds may run side by side
        except OSError:
            pass
    _MEMO[kind, key] = data
    return data
