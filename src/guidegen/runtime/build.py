"""Write the browser runtime into a site's ``calculator/`` folder, under content hashes.

    pyodide-VERSION.HASH/              Pyodide's runtime files (PYODIDE_SHIPPED), stdlib trimmed
    guidegen-VERSION.HASH.whl          the browser wheel (guidegen.runtime.wheel)
    catalog.HASH.json                  the whole bundle, compact (the desk, tools, tests)
    catalog-PART.HASH.json             the bundle in parts (guidegen.runtime.bundle), fetched side by side
    place-index.HASH.json              the compact all-China name index of the place step
    worker.HASH.js                     calculator/worker.js with the engine glue and the runtime
                                       facts (Pyodide file list, lock info) written in, once
    openpyxl-…, PyYAML-…, desk-stdlib… the desk page's extra files (guidegen.runtime.deskfiles)

HASH is a prefix of the SHA-256 of the content (of all the folder's files for Pyodide),
so a new release never mixes with a cached old one. Big files get a gzip twin.
Returns the paths written and the manifest the page modules carry (``ASSETS``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

from .bundle import bundle_bytes, bundle_parts, part_order, place_index
from .cache import cached_bytes
from .deskfiles import DeskBuildError, desk_runtime
from .pyodide import PYODIDE_SHIPPED, RuntimeBuildError, empty_lock, pyodide_dist, pyodide_runtime
from .wheel import wheel_bytes

__all__ = ["HASH_LEN", "hashed_name", "replace_marker", "write_file", "write_runtime"]

HASH_LEN = 10
# Precompress files at least this big whose gzip copy saves at least 10 %.
GZIP_MIN_SIZE = 1024
GZIP_MAX_RATIO = 0.9
# Files at least this big get their twin from Zopfli (one iteration: 3–4 % smaller than gzip -9,
# 114 KB less for pyodide.asm.wasm; about 20 s for that file, so twins are cached by content).
ZOPFLI_MIN_SIZE = 64 * 1024


def gzip_bytes(data: bytes) -> bytes:
    """The gzip twin's bytes: Zopfli for big files (guidegen.runtime.cache), gzip -9 otherwise; no
    file name or date in the header, so the same content gives the same bytes."""
    if len(data) < ZOPFLI_MIN_SIZE:
        return gzip.compress(data, compresslevel=9, mtime=0)

    def zopfli_twin() -> bytes:
        import zopfli.gzip

        return zopfli.gzip.compress(data, numiterations=1)

    return cached_bytes("gzip", hashlib.sha256(data).hexdigest() + "-zopfli1.gz", zopfli_twin)


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LEN]


def hashed_name(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{content_hash(data)}.{ext}" if dot else f"{name}.{content_hash(data)}"


def replace_marker(text: str, marker: str, line: str) -> str:
    lines = text.split("\n")
    hits = [i for i, ln in enumerate(lines) if ln.rstrip().endswith(marker)]
    if len(hits) != 1:
        raise RuntimeBuildError(f"expected exactly one line ending in {marker!r}")
    lines[hits[0]] = line
    return "\n".join(lines)


def _gzip_twin(path: Path, written: list[Path]) -> None:
    data = path.read_bytes()
    if len(data) < GZIP_MIN_SIZE:
        return
    packed = gzip_bytes(data)
    if len(packed) <= GZIP_MAX_RATIO * len(data):
        twin = path.with_name(path.name + ".gz")
        if not twin.exists() or twin.read_bytes() != packed:
            twin.write_bytes(packed)
        written.append(twin)


def write_file(path: Path, data: bytes, written: list[Path], *, gz: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    written.append(path)
    if gz:
        _gzip_twin(path, written)
    return path


def _digest(data: bytes) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


def write_runtime(bundle: dict, out: Path, *, root: Path) -> tuple[list[Path], dict]:
    """Write the runtime files into ``out`` (SITE/calculator); return (paths written, manifest)."""
    root = Path(root).resolve()
    out = Path(out)
    worker_src = root / "calculator" / "worker.js"
    glue_src = root / "calculator" / "engine.py"
    if not worker_src.is_file() or not glue_src.is_file():
        raise RuntimeBuildError(f"{root / 'calculator'}: worker.js or engine.py missing")
    version, blobs = pyodide_runtime(root)
    written: list[Path] = []

    # Pyodide: one folder named by the hash of all its files (as shipped: trimmed stdlib).
    h = hashlib.sha256()
    for name in PYODIDE_SHIPPED:
        h.update(name.encode() + b"\0" + hashlib.sha256(blobs[name]).digest())
    pyodide_dir = out / f"pyodide-{version}.{h.hexdigest()[:HASH_LEN]}"
    for name, data in blobs.items():
        write_file(pyodide_dir / name, data, written)

    wname, wdata = wheel_bytes(root)
    dist_name, dist_version = wname.split("-")[:2]
    wheel = write_file(out / f"{dist_name}-{dist_version}.{content_hash(wdata)}.whl", wdata, written)

    whole = bundle_bytes(bundle)
    whole_path = write_file(out / hashed_name("catalog.json", whole), whole, written)
    parts = []
    for name, data in bundle_parts(bundle):
        parts.append(write_file(out / hashed_name(f"catalog-{name}.json", data), data, written).name)
    places = place_index(bundle)
    places_name = None
    if places is not None:
        pdata = json.dumps(places, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        places_name = write_file(out / hashed_name("place-index.json", pdata), pdata, written).name

    # Size and SHA-256 of each runtime file: when the runtime fails to start, the worker
    # names the file that is damaged (its bytes differ from these) in its message.
    files = {name: _digest(data) for name, data in [*blobs.items(), (wheel.name, wdata)]}
    # The runtime facts worker.js reads, written once here: which Pyodide files it loads
    # (and names when one is damaged), the lock it hands to loadPyodide, and this release's
    # init (the calculator's worker starts on it before the page's init message arrives).
    release = {"pyodide": pyodide_dir.name + "/", "wheel": wheel.name, "bundleKey": parts or [whole_path.name],
               "files": files}
    runtime = {"pyodideFiles": list(PYODIDE_SHIPPED), "lock": empty_lock(pyodide_dist(root)[0]), "release": release}
    text = worker_src.read_text(encoding="utf-8")
    text = replace_marker(text, "// @engine", f"const ENGINE_PY = {json.dumps(glue_src.read_text(encoding='utf-8'))}; // @engine")
    text = replace_marker(text, "// @runtime", f"const RUNTIME = {json.dumps(runtime)}; // @runtime")
    wjs = text.encode("utf-8")
    worker = write_file(out / hashed_name("worker.js", wjs), wjs, written)

    files = dict(files)  # (the manifest's grows by the desk's files below)
    manifest = {"worker": worker.name, "bundle": whole_path.name, "bundleParts": parts, "bundleOrder": part_order(bundle),
                "places": places_name, "wheel": wheel.name, "pyodide": pyodide_dir.name + "/",
                "pyodideVersion": version, "files": files, "deskWheels": []}
    # The bureau desk page (/desk/) has the worker install these too; the calculator never loads them.
    try:
        desk_files = desk_runtime(pyodide_dist(root)[0], version)
    except DeskBuildError as exc:
        raise RuntimeBuildError(f"bureau desk: {exc}") from None
    for name, data in desk_files.items():
        path = write_file(out / hashed_name(name, data), data, written)
        files[path.name] = _digest(data)
        manifest["deskWheels"].append(path.name)
    return written, manifest


HASHED = re.compile(r"\.[0-9a-f]{%d}(\.|/|$)" % HASH_LEN)
