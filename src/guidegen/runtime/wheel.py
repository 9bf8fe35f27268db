"""The browser wheel: only the Python that runs under Pyodide.

The calculator's worker imports ``guidegen.core``; the bureau desk page also runs
``guidegen.desk`` (which reads profiles with ``guidegen.profile_file``). Nothing else of
the project (catalog loader, site generator, CLI) is ever imported in the browser, so
the wheel holds ``guidegen/__init__.py``, ``guidegen/core/``, ``desk.py`` and
``profile_file.py`` and its ``.dist-info`` (METADATA, WHEEL, RECORD), written here with
``zipfile``: no build backend, no subprocess, fixed dates and order, so identical
sources give identical bytes (and the same content hash). tests/test_calculator_assets.py
checks that every ``guidegen`` import inside the wheel resolves inside the wheel.

The modules go in as sourceless ``.pyc`` compiled by Pyodide's own Python
(guidegen.runtime.bytecode): importing the engine from source took most of a second of a
first visit; ``wheel_bytes(root, compiled=False)`` keeps the ``.py`` files (tools, tests).
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import zipfile
from pathlib import Path

from .bytecode import SITE_PACKAGES_PREFIX, BytecodeError, compile_zip
from .pyodide import RuntimeBuildError, pyodide_dist

__all__ = ["BROWSER_MODULES", "browser_sources", "build_wheel", "wheel_bytes"]

# Paths under src/guidegen/ that run in the browser: files, or folders (all their .py files).
BROWSER_MODULES = ("__init__.py", "core", "desk.py", "profile_file.py")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
WHEEL_SUMMARY = "guidegen: the evaluation engine of the self-assessment calculator, packed for the browser"


def _project_version(root: Path) -> str:
    text = (Path(root) / "src" / "guidegen" / "__init__.py").read_text(encoding="utf-8")
    m = re.search(r'^__version__\s*=\s*"([^"]+)"', text, re.M)
    if not m:
        raise RuntimeBuildError("src/guidegen/__init__.py has no __version__")
    return m.group(1)


def browser_sources(root: Path) -> list[tuple[str, Path]]:
    """(path inside the wheel, file) of every module that runs in the browser, sorted."""
    pkg = Path(root) / "src" / "guidegen"
    out = []
    for entry in BROWSER_MODULES:
        path = pkg / entry
        if path.is_dir():
            files = [p for p in path.rglob("*.py") if "__pycache__" not in p.parts]
        elif path.is_file():
            files = [path]
        else:
            raise RuntimeBuildError(f"{path}: a browser module of the wheel is missing")
        out += [("guidegen/" + p.relative_to(pkg).as_posix(), p) for p in files]
    return sorted(out)


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    # Stored, not deflated (like the trimmed stdlib): the build's gzip twin of the whole
    # wheel travels, smaller than deflating file by file.
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            zi = zipfile.ZipInfo(name, _ZIP_TIME)
            zi.compress_type = zipfile.ZIP_STORED
            zi.external_attr = 0o644 << 16
            z.writestr(zi, data)
    return out.getvalue()


def _compiled(root: Path, entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    dist, version = pyodide_dist(root)
    try:
        compiled = compile_zip(dist, version, _zip(entries), SITE_PACKAGES_PREFIX)
    except BytecodeError as exc:
        raise RuntimeBuildError(f"guidegen wheel: {exc}") from None
    with zipfile.ZipFile(io.BytesIO(compiled)) as z:
        return [(info.filename, z.read(info)) for info in z.infolist()]


def wheel_bytes(root: Path, *, compiled: bool = True) -> tuple[str, bytes]:
    """(file name, bytes) of the browser wheel ``guidegen-VERSION-py3-none-any.whl``."""
    version = _project_version(root)
    info = f"guidegen-{version}.dist-info"
    entries = [(name, path.read_bytes()) for name, path in browser_sources(root)]
    if compiled:
        entries = _compiled(Path(root), entries)
    entries.append((f"{info}/METADATA", (f"Metadata-Version: 2.1\nName: guidegen\nVersion: {version}\n"
                                        f"Summary: {WHEEL_SUMMARY}\nLicense: Apache-2.0\n"
                                        f"Requires-Python: >=3.11\n").encode()))
    entries.append((f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: guidegen.runtime\n"
                                     b"Root-Is-Purelib: true\nTag: py3-none-any\n"))
    entries.append((f"{info}/top_level.txt", b"guidegen\n"))
    record = "".join(f"{name},{_record_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    return f"guidegen-{version}-py3-none-any.whl", _zip(entries)


def build_wheel(root: Path, out_dir: Path) -> Path:
    """Write the browser wheel into ``out_dir``; return its path."""
    name, data = wheel_bytes(Path(root).resolve())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_bytes(data)
    return path
