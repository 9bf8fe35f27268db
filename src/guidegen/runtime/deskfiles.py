"""Runtime files of the bureau-desk page (``/desk/``, ``/en/desk/``), beside the calculator's.

The desk runs ``guidegen.desk`` in the calculator's own worker (same Pyodide, same
guidegen wheel, same bundle); on that page only, the worker also installs
``extraWheels``, written by the build into ``SITE/calculator/``:

    openpyxl-VERSION.HASH.whl      the pinned openpyxl, pure Python
    et_xmlfile-VERSION.HASH.whl    its pinned dependency, pure Python
    PyYAML-VERSION.HASH.whl        PyYAML's pure-Python half (YAML exports; no C extension)
    desk-stdlib.HASH.zip           standard-library files the desk imports that the
                                   calculator's trimmed python_stdlib.zip lacks (xml, ...)

The wheels are repacked from the installed distributions (pip installed the pinned
versions from pyproject.toml), so the build needs no network and gives the same bytes
for the same versions. The standard-library list is measured, not guessed
(``python3 bench/measure_desk_stdlib.py`` writes ``desk_stdlib.txt``), and is taken
from the same Pyodide package the calculator ships. The calculator's first visit never
loads any of these files.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import zipfile
from pathlib import Path

from .pyodide import RuntimeBuildError, read_measured_list, read_stdlib_keep

__all__ = ["DESK_DISTRIBUTIONS", "DESK_STDLIB", "DeskBuildError", "desk_runtime", "file_digest", "read_desk_stdlib", "read_measured_list", "repack_wheel"]

# (distribution, the top-level folders it ships to the browser)
DESK_DISTRIBUTIONS = (("et_xmlfile", ("et_xmlfile",)), ("openpyxl", ("openpyxl",)), ("PyYAML", ("yaml",)))
DESK_STDLIB = Path(__file__).with_name("desk_stdlib.txt")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SKIP_SUFFIXES = (".pyc", ".pyo", ".so", ".pyd")
_SKIP_NAMES = ("INSTALLER", "REQUESTED", "RECORD", "direct_url.json")


class DeskBuildError(RuntimeBuildError):
    """A desk runtime file cannot be built (a distribution not installed, a stale list)."""


def _zip(entries: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return out.getvalue()


def repack_wheel(distribution: str, packages: tuple[str, ...]) -> tuple[str, bytes]:
    """(wheel file name, bytes): the installed ``distribution``'s pure-Python files as a wheel."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise DeskBuildError(f"{distribution} is not installed; run `pip install -e .` (pyproject.toml pins it)") from None
    entries = []
    for f in dist.files or ():
        parts = Path(str(f)).parts
        top = parts[0]
        if "__pycache__" in parts or str(f).endswith(_SKIP_SUFFIXES) or parts[-1] in _SKIP_NAMES:
            continue
        if top in packages or top.endswith(".dist-info"):
            entries.append((Path(str(f)).as_posix(), Path(dist.locate_file(f)).read_bytes()))
    if not any(name.endswith(".py") for name, _ in entries):
        raise DeskBuildError(f"{distribution}: no Python files found in the installed distribution")
    return f"{distribution}-{dist.version}-py3-none-any.whl", _zip(entries)


def read_desk_stdlib(path: Path = DESK_STDLIB) -> tuple[str, list[str]]:
    """The measured list: (Pyodide version it was measured with, paths inside python_stdlib.zip)."""
    version, paths = read_measured_list(path)
    if not version:
        raise DeskBuildError(f"{path}: no '# pyodide: VERSION' line; regenerate it with "
                             "`python3 bench/measure_desk_stdlib.py`")
    return version, paths


def desk_stdlib_zip(full_stdlib: bytes, paths: list[str]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(full_stdlib)) as src:
        names = set(src.namelist())
        missing = sorted(set(paths) - names)
        if missing:
            raise DeskBuildError(f"python_stdlib.zip has no {', '.join(missing[:5])}: desk_stdlib.txt is stale; "
                                 "regenerate it with `python3 bench/measure_desk_stdlib.py`")
        return _zip([(p, src.read(p)) for p in paths])


def desk_runtime(pyodide_dir: Path, pyodide_version: str) -> dict[str, bytes]:
    """{file name (unhashed): bytes} of every desk runtime file, in install order."""
    measured, paths = read_desk_stdlib()
    if measured != pyodide_version:
        raise DeskBuildError(f"{DESK_STDLIB.name} was measured with pyodide {measured}, node_modules has "
                             f"{pyodide_version}: regenerate it with `python3 bench/measure_desk_stdlib.py`")
    _, keep = read_stdlib_keep()
    extra = [p for p in paths if p not in set(keep)]
    # Unpacked into site-packages, a file extends the runtime only as (part of) a package
    # the trimmed stdlib lacks: a package it ships is imported from its zip, which hides
    # a second copy's modules (encodings/utf_8_sig.py beside the zip's encodings would be).
    kept_packages = {p.split("/")[0] for p in keep if "/" in p}
    hidden = [p for p in extra if "/" in p and p.split("/")[0] in kept_packages]
    if hidden:
        raise DeskBuildError(f"{', '.join(hidden[:5])}: part of a package the calculator's stdlib already ships, so "
                             "the desk page cannot add it; avoid the import in guidegen.desk, or keep the file in "
                             "stdlib_keep.txt")
    out = {"desk-stdlib.zip": desk_stdlib_zip((Path(pyodide_dir) / "python_stdlib.zip").read_bytes(), extra)}
    for distribution, packages in DESK_DISTRIBUTIONS:
        name, data = repack_wheel(distribution, packages)
        out[name] = data
    return out


def file_digest(data: bytes) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
