"""Pyodide as the calculator and the desk ship it: the pinned npm package, its standard
library trimmed to a measured keep-list, and the list of runtime files (kept here once;
the build writes it into worker.js).

``node_modules/pyodide`` comes from ``npm ci`` (package.json pins the version). The
lock file (``pyodide-lock.json``, about 120 KB) lists Pyodide's optional packages; the
calculator and the desk install none of them (the engine and the desk's openpyxl,
PyYAML come as wheels unpacked by hand), so it is not shipped: the worker passes a lock
with the same ``info`` and no packages (``lockFileContents``) and Pyodide fetches nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

from .bytecode import STDLIB_PREFIX, BytecodeError, compile_zip

__all__ = [
    "PYODIDE_FILES", "PYODIDE_SHIPPED", "STDLIB_KEEP", "RuntimeBuildError", "empty_lock", "pyodide_dist",
    "pyodide_runtime", "read_measured_list", "read_stdlib_keep", "trim_stdlib", "write_pyodide_runtime",
]

# Every file of the npm package the runtime needs to start (pyodide_dist checks them).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# What the site ships in its pyodide-VERSION.HASH/ folder, in the order the worker needs
# them: the lock file is left out (see above). worker.js gets this list from the build.
PYODIDE_SHIPPED = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")

# The standard-library files the calculator ships (measured: bench/measure_stdlib.py).
STDLIB_KEEP = Path(__file__).with_name("stdlib_keep.txt")
_STDLIB_CACHE: dict[bytes, bytes] = {}


class RuntimeBuildError(RuntimeError):
    """A browser runtime file cannot be built (missing npm package, stale list, failed wheel)."""


def pyodide_dist(root: Path) -> tuple[Path, str]:
    """The installed npm package ``pyodide`` (directory, version); checks it matches package.json."""
    root = Path(root)
    dist = root / "node_modules" / "pyodide"
    missing = [f for f in PYODIDE_FILES if not (dist / f).is_file()]
    if missing:
        raise RuntimeBuildError(
            f"{dist}: Pyodide runtime files missing ({', '.join(missing)}); run `npm ci` in {root}")
    version = json.loads((dist / "package.json").read_text(encoding="utf-8"))["version"]
    try:
        pinned = json.loads((root / "package.json").read_text(encoding="utf-8"))["dependencies"]["pyodide"]
    except (OSError, KeyError, ValueError):
        pinned = version
    if pinned != version:
        raise RuntimeBuildError(
            f"node_modules has pyodide {version} but package.json pins {pinned}; run `npm ci` in {root}")
    return dist, version


def read_measured_list(path: Path) -> tuple[str, list[str]]:
    """A measured stdlib list (stdlib_keep.txt, desk_stdlib.txt): (the Pyodide version named by its
    '# pyodide: VERSION' line, or "" without one; the paths inside python_stdlib.zip). Callers check it."""
    version, paths = "", []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("# pyodide:"):
            version = line.split(":", 1)[1].strip()
        elif line and not line.startswith("#"):
            paths.append(line)
    return version, paths


def read_stdlib_keep(path: Path = STDLIB_KEEP) -> tuple[str, list[str]]:
    """The keep-list: (the Pyodide version it was measured with, paths inside python_stdlib.zip)."""
    version, paths = read_measured_list(path)
    if not version or not paths:
        raise RuntimeBuildError(f"{path}: no '# pyodide: VERSION' line or no paths; "
                                "regenerate it with `python3 bench/measure_stdlib.py`")
    return version, paths


def trim_stdlib(data: bytes, keep) -> bytes:
    """Pyodide's python_stdlib.zip reduced to the ``keep`` paths (and their folder entries).

    Entries keep their order, names, dates and attributes, so the result depends on
    the inputs only. They are *stored*, not deflated: the build's gzip twin of the
    whole archive is what travels (smaller than deflating file by file, since gzip
    sees across files), and zipimport then reads modules without inflating them.
    A path missing from the archive is an error (the list is stale).
    """
    keep = set(keep)
    key = hashlib.sha256(data).digest() + hashlib.sha256("\n".join(sorted(keep)).encode()).digest()
    if key in _STDLIB_CACHE:
        return _STDLIB_CACHE[key]
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        infos = src.infolist()
        names = {i.filename for i in infos}
        missing = sorted(keep - names)
        if missing:
            raise RuntimeBuildError(
                f"python_stdlib.zip has no {', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}: "
                "the keep-list is stale; regenerate it with `python3 bench/measure_stdlib.py`")
        wanted = set(keep)
        for name in keep:
            parts = name.split("/")[:-1]
            wanted.update("/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for info in infos:
                if info.filename not in wanted:
                    continue
                entry = zipfile.ZipInfo(info.filename, info.date_time)
                entry.external_attr = info.external_attr
                entry.create_system = info.create_system
                entry.compress_type = zipfile.ZIP_STORED
                dst.writestr(entry, b"" if info.is_dir() else src.read(info))
    _STDLIB_CACHE[key] = out.getvalue()
    return _STDLIB_CACHE[key]


def empty_lock(dist: Path) -> dict:
    """The lock the worker hands to loadPyodide (``lockFileContents``): the package's own
    ``info`` (Python version, ABI, platform), no packages."""
    lock = json.loads((Path(dist) / "pyodide-lock.json").read_text(encoding="utf-8"))
    return {"info": lock["info"], "packages": {}}


def pyodide_runtime(root: Path) -> tuple[str, dict[str, bytes]]:
    """(version, {file name: bytes}): the Pyodide files the site ships (PYODIDE_SHIPPED),
    ``python_stdlib.zip`` trimmed to the measured keep-list (``stdlib_keep.txt``) and
    byte-compiled by Pyodide's own Python (guidegen.runtime.bytecode: ``NAME.pyc`` in place
    of each kept ``NAME.py``)."""

    dist, version = pyodide_dist(root)
    measured, keep = read_stdlib_keep()
    if measured != version:
        raise RuntimeBuildError(
            f"{STDLIB_KEEP.name} was measured with pyodide {measured}, node_modules has {version}: "
            "regenerate it with `python3 bench/measure_stdlib.py`")
    blobs = {name: (dist / name).read_bytes() for name in PYODIDE_SHIPPED}
    try:
        blobs["python_stdlib.zip"] = compile_zip(dist, version, trim_stdlib(blobs["python_stdlib.zip"], keep), STDLIB_PREFIX)
    except BytecodeError as exc:
        raise RuntimeBuildError(f"python_stdlib.zip: {exc}") from None
    return version, blobs


def write_pyodide_runtime(root: Path, out_dir: Path) -> Path:
    """Write the shipped Pyodide runtime files into ``out_dir`` (for Node: the parity runner,
    which loads Pyodide as a plain ``loadPyodide()`` does: the lock file is added for it)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in pyodide_runtime(root)[1].items():
        (out_dir / name).write_bytes(data)
    (out_dir / "pyodide-lock.json").write_bytes((pyodide_dist(root)[0] / "pyodide-lock.json").read_bytes())
    return out_dir
