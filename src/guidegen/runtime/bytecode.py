"""Python bytecode for the browser runtime, compiled by Pyodide's own Python.

Without it every start in the browser compiles the standard library and the engine from
source inside WebAssembly: that was most of a first visit (docs-dev/perf-first-visit.md:
``import guidegen.core`` 0.4–0.6 s → 0.04–0.09 s; Pyodide's boot 2–3× faster). The build
therefore ships sourceless ``.pyc`` files in the trimmed ``python_stdlib.zip`` and the
browser wheel. They must be compiled by the interpreter that will read them — Pyodide's
Python, not the build machine's CPython — so ``compile_pyc.mjs`` runs under Node with the
pinned npm package (``node_modules/pyodide``, already needed for the runtime files).

Compiled with optimize=2 (no docstrings or asserts: the engine uses neither, and the
stdlib modules kept do not read their docstrings) and without column tables, which keeps
the download close to the source's. Results are cached (guidegen.runtime.cache, keyed by the
input, the Pyodide version and the compiler script), so a second build costs nothing.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .cache import cached_bytes

__all__ = ["BytecodeError", "compile_zip", "STDLIB_PREFIX", "SITE_PACKAGES_PREFIX"]


class BytecodeError(RuntimeError):
    """The bytecode cannot be compiled (no Node, Pyodide failed); the runtime's callers say which file."""


COMPILER = Path(__file__).with_name("compile_pyc.mjs")
# Where the files are imported from in the browser (the file names tracebacks give).
STDLIB_PREFIX = "/lib/python314.zip/"
SITE_PACKAGES_PREFIX = "/lib/python3.14/site-packages/"


def _node() -> str:
    found = shutil.which("node")
    if not found:
        raise BytecodeError("node not found: the browser runtime's bytecode is compiled by Pyodide under Node "
                                "(install Node.js 20, then `npm ci`)")
    return found


def compile_zip(dist: Path, version: str, data: bytes, prefix: str) -> bytes:
    """``data`` (a zip) with every ``NAME.py`` replaced by a sourceless ``NAME.pyc`` compiled by
    the Python of the Pyodide in ``dist`` (node_modules/pyodide, ``version``); ``prefix`` + NAME.py
    is the file name its code objects carry."""
    dist = Path(dist)
    key = hashlib.sha256(b"\0".join([data, prefix.encode(), version.encode(), COMPILER.read_bytes()])).hexdigest()

    def compile_now() -> bytes:
        with tempfile.TemporaryDirectory(prefix="guidegen-pyc-") as tmp:
            src, out = Path(tmp) / "in.zip", Path(tmp) / "out.zip"
            src.write_bytes(data)
            proc = subprocess.run([_node(), str(COMPILER), str(dist), str(src), str(out), prefix], capture_output=True,
                                  text=True, timeout=600, env={**os.environ, "NODE_NO_WARNINGS": "1"})
            if proc.returncode != 0 or not out.is_file():
                raise BytecodeError(f"compiling the browser runtime's bytecode failed: {(proc.stderr or proc.stdout)[-800:]}")
            return out.read_bytes()

    return cached_bytes("pyc", f"{key}.zip", compile_now)
