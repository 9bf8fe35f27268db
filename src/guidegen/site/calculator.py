"""Calculator runtime files for the built site (owned by the calculator work).

``build_calculator_assets`` writes everything the browser calculator needs into
``SITE/calculator/``, next to the pages MkDocs renders from the
``calculator.html`` template (``calculator/index.html``, ``en/calculator/index.html``):

    app.HASH.js, form.HASH.js, ...     the browser shell (calculator/*.js), ES modules
    worker.HASH.js                     the module Web Worker hosting Pyodide
    calculator.HASH.css                screen and print styles
    catalog.HASH.json                  the compiled bundle (``guidegen export``), same bytes the tests read
    guidegen-VERSION.HASH.whl          the project as a pure-Python wheel (``python -m build --wheel --no-isolation``)
    pyodide-VERSION.HASH/              the runtime files of the pinned npm package ``pyodide``,
                                       with ``python_stdlib.zip`` trimmed to ``stdlib_keep.txt``

HASH is a prefix of the SHA-256 of the file's content (of the directory's files
for Pyodide; for a JS module, after its imports were rewritten to hashed names),
so a new release never mixes with a cached old one and every hashed file can be
cached for a year. Big text assets get a precompressed ``.gz`` twin for nginx's
``gzip_static``. The pages keep their names and are served ``no-cache``; their
references to ``app.js`` / ``calculator.css`` are rewritten here to the hashed
names (idempotently: the i18n plugin runs the post-build step once per language).

Nothing is fetched from the network: Pyodide comes from ``node_modules`` (``npm ci``)
and the wheel is built offline from the working tree. ``pyodide build`` is not
used on purpose: it downloads a cross-build environment (impossible offline), and
for a pure-Python project it produces the same ``py3-none-any`` wheel.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from .messages import load_messages
from .desk_assets import DeskBuildError, desk_runtime, read_measured_list

__all__ = [
    "CalculatorBuildError",
    "build_calculator_assets",
    "build_docx_module",
    "build_wheel",
    "bundle_bytes",
    "pyodide_dist",
    "pyodide_runtime",
    "read_stdlib_keep",
    "trim_stdlib",
    "write_pyodide_runtime",
    "CSP",
    "PYODIDE_FILES",
]

HASH_LEN = 10
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# The page's Content-Security-Policy (also sent as a header by deploy/nginx/guidegen.conf).
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
       "style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'none'; frame-ancestors 'self'")
PAGE_MARKER = 'name="guidegen-calculator"'
# Precompress files at least this big whose gzip copy saves at least 10 %.
GZIP_MIN_SIZE = 1024
GZIP_MAX_RATIO = 0.9
# Deterministic wheels (zip timestamps): same sources, same bytes, same hash.
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest date a zip can hold

# The standard-library files the calculator ships (measured: bench/measure_stdlib.py).
STDLIB_KEEP = Path(__file__).with_name("stdlib_keep.txt")

_HASHED = re.compile(r"\.[0-9a-f]{%d}(\.|/|$)" % HASH_LEN)
_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])\./([A-Za-z0-9_-]+\.js)\2""")
_WHEEL_CACHE: dict[str, bytes] = {}
WHEEL_README = "guidegen: the evaluation engine of the self-assessment calculator, packed for the browser.\n"
_STDLIB_CACHE: dict[bytes, bytes] = {}


class CalculatorBuildError(RuntimeError):
    """The calculator's runtime files cannot be built (missing npm package, failed wheel build)."""


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:HASH_LEN]


def _hashed_name(name: str, data: bytes) -> str:
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{_hash(data)}.{ext}" if dot else f"{name}.{_hash(data)}"


# --------------------------------------------------------------------------- inputs

def pyodide_dist(root: Path) -> tuple[Path, str]:
    """The installed npm package ``pyodide`` (directory, version); checks it matches package.json."""
    root = Path(root)
    dist = root / "node_modules" / "pyodide"
    missing = [f for f in PYODIDE_FILES if not (dist / f).is_file()]
    if missing:
        raise CalculatorBuildError(
            f"{dist}: Pyodide runtime files missing ({', '.join(missing)}); run `npm ci` in {root}")
    version = json.loads((dist / "package.json").read_text(encoding="utf-8"))["version"]
    try:
        pinned = json.loads((root / "package.json").read_text(encoding="utf-8"))["dependencies"]["pyodide"]
    except (OSError, KeyError, ValueError):
        pinned = version
    if pinned != version:
        raise CalculatorBuildError(
            f"node_modules has pyodide {version} but package.json pins {pinned}; run `npm ci` in {root}")
    return dist, version


def read_stdlib_keep(path: Path = STDLIB_KEEP) -> tuple[str, list[str]]:
    """The keep-list: (the Pyodide version it was measured with, paths inside python_stdlib.zip)."""
    version, paths = read_measured_list(path)
    if not version or not paths:
        raise CalculatorBuildError(f"{path}: no '# pyodide: VERSION' line or no paths; "
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
            raise CalculatorBuildError(
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


def pyodide_runtime(root: Path) -> tuple[str, dict[str, bytes]]:
    """(version, {file name: bytes}): Pyodide's runtime files as the calculator ships them,
    ``python_stdlib.zip`` trimmed to the measured keep-list (``stdlib_keep.txt``)."""
    dist, version = pyodide_dist(root)
    measured, keep = read_stdlib_keep()
    if measured != version:
        raise CalculatorBuildError(
            f"{STDLIB_KEEP.name} was measured with pyodide {measured}, node_modules has {version}: "
            "regenerate it with `python3 bench/measure_stdlib.py`")
    blobs = {name: (dist / name).read_bytes() for name in PYODIDE_FILES}
    blobs["python_stdlib.zip"] = trim_stdlib(blobs["python_stdlib.zip"], keep)
    return version, blobs


def write_pyodide_runtime(root: Path, out_dir: Path) -> Path:
    """Write the shipped Pyodide runtime files into ``out_dir`` (for Node: the parity runner)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in pyodide_runtime(root)[1].items():
        (out_dir / name).write_bytes(data)
    return out_dir


def _wheel_inputs(root: Path) -> list[Path]:
    files = [root / "pyproject.toml"]
    files += [root / n for n in ("README.md", "LICENSE") if (root / n).is_file()]
    for path in sorted((root / "src").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and ".egg-info" not in str(path) \
                and path.suffix not in (".pyc", ".pyo"):
            files.append(path)
    return files


def build_wheel(root: Path, out_dir: Path) -> Path:
    """Build the project's pure-Python wheel into ``out_dir``; return its path.

    Runs ``python -m build --wheel --no-isolation`` on a copy of the sources (so
    parallel builds never race on ``build/`` or ``*.egg-info`` in the tree), with
    SOURCE_DATE_EPOCH set so identical sources give identical bytes. Memoised per
    process on the content of the inputs.
    """
    root = Path(root).resolve()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = _wheel_inputs(root)
    digest = hashlib.sha256()
    for path in inputs:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    key = digest.hexdigest()
    name_file = f"{key}.name"
    if key not in _WHEEL_CACHE:
        with tempfile.TemporaryDirectory(prefix="guidegen-wheel-") as tmp:
            src = Path(tmp) / "src-copy"
            for path in inputs:
                target = src / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
            if (src / "README.md").is_file():
                # The wheel's METADATA carries the readme; the project README names every
                # region, and a bureau's edition ships this wheel. One neutral line instead.
                (src / "README.md").write_text(WHEEL_README, encoding="utf-8")
            dist = Path(tmp) / "dist"
            env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH, PYTHONDONTWRITEBYTECODE="1")
            proc = subprocess.run(
                [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(src)],
                capture_output=True, text=True, env=env, check=False)
            wheels = sorted(dist.glob("*.whl"))
            if proc.returncode != 0 or len(wheels) != 1:
                raise CalculatorBuildError(
                    "building the guidegen wheel failed (python -m build --wheel --no-isolation; "
                    "needs the packages `build`, `setuptools>=68` and `wheel`):\n"
                    + (proc.stdout + proc.stderr)[-3000:])
            _WHEEL_CACHE[key] = wheels[0].read_bytes()
            _WHEEL_CACHE[name_file] = wheels[0].name.encode()
    wheel = out_dir / _WHEEL_CACHE[name_file].decode()
    wheel.write_bytes(_WHEEL_CACHE[key])
    return wheel


def bundle_bytes(catalog) -> bytes:
    """The compiled bundle as the browser gets it (a Catalog, or an already compiled dict)."""
    bundle = catalog if isinstance(catalog, dict) else catalog.bundle()
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _source_dir(root: Path) -> Path:
    src = Path(root) / "calculator"
    if not (src / "app.js").is_file() or not (src / "worker.js").is_file():
        raise CalculatorBuildError(f"{src}: calculator sources (app.js, worker.js) missing")
    return src


# --------------------------------------------------------------------------- output

def _gzip_twin(path: Path, written: list[Path]) -> None:
    data = path.read_bytes()
    if len(data) < GZIP_MIN_SIZE:
        return
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    if len(packed) <= GZIP_MAX_RATIO * len(data):
        twin = path.with_name(path.name + ".gz")
        twin.write_bytes(packed)
        written.append(twin)


def _write(path: Path, data: bytes, written: list[Path], *, gz: bool = True) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    written.append(path)
    if gz:
        _gzip_twin(path, written)
    return path


def build_docx_module(root: Path) -> bytes:
    """The npm ``docx`` package as one same-origin ES module (``docx.js``), bundled with the pinned esbuild.

    The application-pack module (calculator/pack.js) imports it only when a draft is
    downloaded, so the calculator's first visit never loads it.
    """
    root = Path(root)
    esbuild = root / "node_modules" / "esbuild" / "bin" / "esbuild"
    pkg = root / "node_modules" / "docx" / "package.json"
    if not esbuild.is_file() or not pkg.is_file():
        raise CalculatorBuildError(f"{root / 'node_modules'}: docx or esbuild missing (run `npm ci`)")
    versions = {name: json.loads((root / "node_modules" / name / "package.json").read_text(encoding="utf-8"))["version"]
                for name in ("docx", "esbuild")}
    proc = subprocess.run([str(esbuild), "--bundle", "--format=esm", "--platform=browser", "--minify",
                           "--legal-comments=none", "--log-level=error"],
                          input=b'export * from "docx";\n', cwd=root, capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise CalculatorBuildError(f"esbuild could not bundle docx: {proc.stderr.decode(errors='replace')[:500]}")
    head = (f"/* docx {versions['docx']} (MIT, https://github.com/dolanmiu/docx), "
            f"bundled by esbuild {versions['esbuild']} for the application pack */\n")
    return head.encode() + proc.stdout


def _js_modules(src: Path, assets: dict[str, str], extra: dict[str, bytes] | None = None) -> dict[str, tuple[str, bytes]]:
    """Hash the page's ES modules leaf-first, rewriting ``./x.js`` imports to hashed names.

    ``extra``: generated modules (name -> bytes) that calculator sources may import.
    """
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(src.glob("*.js")) if p.name != "worker.js"}
    sources.update({name: data.decode("utf-8") for name, data in (extra or {}).items()})
    deps = {name: set(m.group(3) for m in _IMPORT.finditer(text)) for name, text in sources.items()}
    for name, ds in deps.items():
        unknown = ds - set(sources)
        if unknown:
            raise CalculatorBuildError(f"calculator/{name} imports missing module(s): {', '.join(sorted(unknown))}")
    out: dict[str, tuple[str, bytes]] = {}

    def visit(name: str, stack: tuple[str, ...] = ()) -> None:
        if name in out:
            return
        if name in stack:
            raise CalculatorBuildError(f"calculator/: import cycle {' -> '.join(stack + (name,))}")
        for dep in sorted(deps[name]):
            visit(dep, stack + (name,))
        text = _IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}./{out[m.group(3)][0]}{m.group(2)}", sources[name])
        if name in ("app.js", "desk.js"):
            text = _replace_marker(text, "// @assets", f"const ASSETS = {json.dumps(assets)}; // @assets")
        elif name == "i18n.js":
            words = json.dumps(load_messages("calculator"), ensure_ascii=False)
            text = _replace_marker(text, "// @messages", f"export const STRINGS = {words}; // @messages")
        data = text.encode("utf-8")
        out[name] = (_hashed_name(name, data), data)

    for name in sorted(sources):
        visit(name)
    return out


def _replace_marker(text: str, marker: str, line: str) -> str:
    lines = text.split("\n")
    hits = [i for i, ln in enumerate(lines) if ln.rstrip().endswith(marker)]
    if len(hits) != 1:
        raise CalculatorBuildError(f"expected exactly one line ending in {marker!r}")
    lines[hits[0]] = line
    return "\n".join(lines)


def _rewrite_pages(site_dir: Path, names: dict[str, str], written: list[Path]) -> list[Path]:
    """Point every calculator page at the hashed app.js / calculator.css (idempotent)."""
    pages = []
    for page in sorted(site_dir.rglob("*.html")):
        try:
            html = page.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if PAGE_MARKER not in html:
            continue
        new = html
        for plain, hashed in names.items():
            stem, ext = plain.rsplit(".", 1)
            new = re.sub(r"(calculator/)%s(\.[0-9a-f]{%d})?\.%s\b" % (re.escape(stem), HASH_LEN, re.escape(ext)),
                         lambda m, h=hashed: m.group(1) + h, new)
        if new != html:
            page.write_text(new, encoding="utf-8")
        pages.append(page)
        written.append(page)
    return pages


def _remove_stale(out: Path, keep: set[Path]) -> None:
    """Drop hashed files of an earlier build in the same output folder."""
    if not out.is_dir():
        return
    for entry in out.iterdir():
        if _HASHED.search(entry.name) and entry not in keep:
            if entry.is_dir():
                shutil.rmtree(entry)
            else:
                entry.unlink()


def build_calculator_assets(catalog, site_dir: Path, *, root: Path) -> list[Path]:
    """Write the calculator's runtime files into ``site_dir``; return the paths written.

    ``catalog`` is the loaded Catalog (or its compiled bundle dict); ``root`` the
    project folder holding ``calculator/``, ``src/``, ``pyproject.toml`` and
    ``node_modules/pyodide``. Raises CalculatorBuildError when an input is missing.
    """
    root = Path(root).resolve()
    site_dir = Path(site_dir)
    out = site_dir / "calculator"
    src = _source_dir(root)
    version, blobs = pyodide_runtime(root)
    written: list[Path] = []

    # Pyodide: one folder named by the hash of all its files (as shipped: trimmed stdlib).
    h = hashlib.sha256()
    for name in PYODIDE_FILES:
        h.update(name.encode() + b"\0" + hashlib.sha256(blobs[name]).digest())
    pyodide_dir = out / f"pyodide-{version}.{h.hexdigest()[:HASH_LEN]}"
    for name, data in blobs.items():
        _write(pyodide_dir / name, data, written)

    with tempfile.TemporaryDirectory(prefix="guidegen-calc-") as tmp:
        wheel_tmp = build_wheel(root, Path(tmp))
        wheel_data = wheel_tmp.read_bytes()
    dist_name = wheel_tmp.name.split("-")
    wheel_name = f"{dist_name[0]}-{dist_name[1]}.{_hash(wheel_data)}.whl"
    wheel = _write(out / wheel_name, wheel_data, written)

    bdata = bundle_bytes(catalog)
    bundle = _write(out / _hashed_name("catalog.json", bdata), bdata, written)

    worker_text = (src / "worker.js").read_text(encoding="utf-8")
    glue = (src / "engine.py").read_text(encoding="utf-8")
    worker_text = _replace_marker(worker_text, "// @engine", f"const ENGINE_PY = {json.dumps(glue)}; // @engine")
    wdata = worker_text.encode("utf-8")
    worker = _write(out / _hashed_name("worker.js", wdata), wdata, written)

    # Size and SHA-256 of each runtime file: when the runtime fails to start, the worker
    # names the file that is damaged (its bytes differ from these) in its message.
    files = {name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
             for name, data in [*blobs.items(), (wheel.name, wheel_data)]}
    assets = {"worker": worker.name, "bundle": bundle.name, "wheel": wheel.name,
              "pyodide": pyodide_dir.name + "/", "pyodideVersion": version, "files": files}
    # The bureau desk page (/desk/) has the worker install these too; the calculator never loads them.
    assets["deskWheels"] = []
    try:
        desk_files = desk_runtime(pyodide_dist(root)[0], version)
    except DeskBuildError as exc:
        raise CalculatorBuildError(f"bureau desk: {exc}") from None
    for name, data in desk_files.items():
        path = _write(out / _hashed_name(name, data), data, written)
        files[path.name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        assets["deskWheels"].append(path.name)
    names = {}
    for name, (hashed, data) in _js_modules(src, assets, {"docx.js": build_docx_module(root)}).items():
        _write(out / hashed, data, written)
        names[name] = hashed
    css = (src / "calculator.css").read_bytes()
    names["calculator.css"] = _write(out / _hashed_name("calculator.css", css), css, written).name

    _remove_stale(out, {p if p.parent == out else pyodide_dir for p in written})
    _rewrite_pages(site_dir, {"app.js": names["app.js"], "calculator.css": names["calculator.css"],
                              **({"desk.js": names["desk.js"]} if "desk.js" in names else {})}, written)
    return written
