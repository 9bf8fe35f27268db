"""The calculator's page files for the built site; the runtime itself is guidegen.runtime.

``build_calculator_assets`` writes everything the browser calculator needs into
``SITE/calculator/``, next to the pages MkDocs renders from the ``calculator.html``
template (``calculator/index.html``, ``en/calculator/index.html``):

    app.HASH.js, form.HASH.js, ...     the browser shell (calculator/*.js), ES modules
    calculator.HASH.css                screen and print styles
    docx.HASH.js                       the npm ``docx`` package as one module (draft downloads only)
    + the runtime (guidegen.runtime.write_runtime): worker, Pyodide folder, wheel,
      bundle whole and in parts, place index, the desk's extra files

HASH is a prefix of the SHA-256 of the file's content (for a JS module, after its
imports were rewritten to hashed names), so a new release never mixes with a cached
old one and every hashed file can be cached for a year. The pages keep their names
and are served ``no-cache``; their references to ``app.js`` / ``calculator.css`` are
rewritten here to the hashed names (idempotently: the i18n plugin runs the post-build
step once per language).

The runtime itself (Pyodide, the trimmed stdlib, the wheel, the bundle parts) is built by
guidegen.runtime; this module only writes the page files around it.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

from ..runtime import (
    HASH_LEN, RuntimeBuildError, hashed_name, replace_marker, write_file,
    write_runtime,
)
from .messages import load_messages

__all__ = ["CalculatorBuildError", "build_calculator_assets", "build_docx_module", "CSP"]

# The page's Content-Security-Policy (also sent as a header by deploy/nginx/guidegen.conf).
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
       "style-src 'self'; img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'none'; frame-ancestors 'self'")
PAGE_MARKER = 'name="guidegen-calculator"'
CalculatorBuildError = RuntimeBuildError  # one error for everything the calculator's build writes
# calculator/*.js that are not page modules: the engine's worker and the site's service worker.
NOT_MODULES = ("worker.js", "sw.js")
# A page's own files worth keeping offline (besides the hashed ones): icons, fonts, styles, scripts.
_PAGE_FILE = re.compile(r'(?:href|src)="([^"#?:]+\.(?:png|svg|ico|webp|woff2?|css|js))"')

_HASHED = re.compile(r"\.[0-9a-f]{%d}(\.|/|$)" % HASH_LEN)
_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])\./([A-Za-z0-9_-]+\.js)\2""")
_hashed_name = hashed_name
_replace_marker = replace_marker


def _source_dir(root: Path) -> Path:
    src = Path(root) / "calculator"
    if not (src / "app.js").is_file() or not (src / "worker.js").is_file():
        raise CalculatorBuildError(f"{src}: calculator sources (app.js, worker.js) missing")
    return src


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
    sources = {p.name: p.read_text(encoding="utf-8") for p in sorted(src.glob("*.js")) if p.name not in NOT_MODULES}
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
        if "// @assets" in text:  # the modules that start the engine (boot, desk)
            export = "export " if re.search(r"^export const ASSETS\b.*// @assets$", text, re.M) else ""
            text = _replace_marker(text, "// @assets", f"{export}const ASSETS = {json.dumps(assets)}; // @assets")
        elif name == "i18n.js":
            words = json.dumps(load_messages("calculator"), ensure_ascii=False)
            text = _replace_marker(text, "// @messages", f"export const STRINGS = {words}; // @messages")
        data = text.encode("utf-8")
        out[name] = (_hashed_name(name, data), data)

    for name in sorted(sources):
        visit(name)
    return out


_HASHED_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])\./([A-Za-z0-9_.-]+\.js)\2""")
_PRELOAD = re.compile(r'\s*<link rel="modulepreload" href="[^"]*" data-gg-preload>')
_BOOT = re.compile(r'<script type="module" async src="[^"]*" data-gg-boot></script>\n')


def static_imports(modules: dict[str, tuple[str, bytes]], entry: str) -> list[str]:
    """The hashed names of every module ``entry`` imports statically, directly or not
    (``import("./x.js")`` — the draft's docx module — is left out: it loads on demand)."""
    by_hashed = {hashed: data.decode("utf-8") for hashed, data in modules.values()}
    seen: list[str] = []
    todo = [modules[entry][0]]
    while todo:
        text = by_hashed[todo.pop()]
        for m in _HASHED_IMPORT.finditer(text):
            if "(" in m.group(1) or m.group(3) in seen:
                continue
            seen.append(m.group(3))
            todo.append(m.group(3))
    return sorted(seen)


def _preload_links(html: str, app: str, preload: list[str]) -> str:
    """After the page's app script: a modulepreload link for every module it imports, so the
    browser fetches the whole graph at once instead of level by level (the worker, which
    app.js starts, begins that much sooner). Idempotent."""
    html = _PRELOAD.sub("", html)
    m = re.search(r'<script type="module" src="([^"]*calculator/)%s"></script>' % re.escape(app), html)
    if not m or not preload:
        return html
    links = "".join(f'\n<link rel="modulepreload" href="{m.group(1)}{name}" data-gg-preload>' for name in preload)
    return html[:m.end()] + links + html[m.end():]


def _boot_script(html: str, app: str, boot: str | None) -> str:
    """Before the page's app script: boot.js as a script of its own, ``async``, so the engine's
    worker starts as soon as this one small file arrives (it imports nothing), not after the
    whole module graph of app.js (which imports the same module: it runs once). Idempotent."""
    html = _BOOT.sub("", html)
    m = re.search(r'<script type="module" src="([^"]*calculator/)%s"></script>' % re.escape(app), html)
    if not m or not boot:
        return html
    tag = f'<script type="module" async src="{m.group(1)}{boot}" data-gg-boot></script>\n'
    # As early as the page allows: right after its Content-Security-Policy (which must come first).
    csp = re.search(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n?', html)
    at = csp.end() if csp and csp.end() < m.start() else m.start()
    return html[:at] + tag + html[at:]


def _rewrite_pages(site_dir: Path, names: dict[str, str], written: list[Path],
                   preload: list[str] | None = None, boot: str | None = None) -> list[Path]:
    """Point every calculator page at the hashed app.js / calculator.css (idempotent);
    ``preload``: the hashed modules app.js imports, linked as modulepreload."""
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
        if preload is not None:
            new = _preload_links(new, names["app.js"], preload)
            new = _boot_script(new, names["app.js"], boot)
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
    """Write the calculator's runtime and page files into ``site_dir``; return the paths written.

    ``catalog`` is the loaded Catalog (or its compiled bundle dict); ``root`` the
    project folder holding ``calculator/``, ``src/``, ``pyproject.toml`` and
    ``node_modules/pyodide``. Raises CalculatorBuildError when an input is missing.
    """
    root = Path(root).resolve()
    site_dir = Path(site_dir)
    out = site_dir / "calculator"
    src = _source_dir(root)
    bundle = catalog if isinstance(catalog, dict) else catalog.bundle()
    written, assets = write_runtime(bundle, out, root=root)
    pyodide_dir = out / assets["pyodide"].rstrip("/")
    names = {}
    modules = _js_modules(src, assets, {"docx.js": build_docx_module(root)})
    for name, (hashed, data) in modules.items():
        write_file(out / hashed, data, written)
        names[name] = hashed
    css = (src / "calculator.css").read_bytes()
    names["calculator.css"] = write_file(out / hashed_name("calculator.css", css), css, written).name

    _remove_stale(out, {p if p.parent == out else pyodide_dir for p in written})
    pages = _rewrite_pages(site_dir, {"app.js": names["app.js"], "calculator.css": names["calculator.css"],
                                      **({"desk.js": names["desk.js"]} if "desk.js" in names else {})}, written,
                           preload=static_imports(modules, "app.js"), boot=names.get("boot.js"))
    calculator_pages = [p for p in pages if names["app.js"] in p.read_text(encoding="utf-8")]
    written.append(write_service_worker(src, site_dir, assets, names, calculator_pages))
    return written


def offline_files(site_dir: Path, assets: dict, names: dict[str, str], pages: list[Path]) -> list[str]:
    """What the service worker precaches, as paths from the site's root: the calculator's
    pages (both languages) and every file its first result and its later steps need."""
    site_dir = Path(site_dir)
    files = [f"calculator/{n}" for n in sorted(set(names.values()))]
    files += [f"calculator/{assets['pyodide']}{n}" for n in assets["files"] if "/" not in n and (
        site_dir / "calculator" / assets["pyodide"] / n).is_file()]
    files += [f"calculator/{n}" for n in (assets["worker"], assets["wheel"], *assets["bundleParts"], assets["places"]) if n]
    for page in pages:
        rel = page.relative_to(site_dir).as_posix()
        files.append(rel[:-len("index.html")] if rel.endswith("index.html") else rel)
        for ref in _PAGE_FILE.findall(page.read_text(encoding="utf-8")):
            target = (page.parent / ref).resolve()
            if target.is_file() and site_dir.resolve() in target.parents:
                files.append(target.relative_to(site_dir.resolve()).as_posix())
    return sorted(dict.fromkeys(files))


def write_service_worker(src: Path, site_dir: Path, assets: dict, names: dict[str, str], pages: list[Path]) -> Path:
    """``SITE/sw.js``: calculator/sw.js with this build's version and precache list.

    The version is a hash of the list and of the pages' bytes (which name every hashed
    file): a new build is a new sw.js, which the browser installs in place of the old."""
    files = offline_files(site_dir, assets, names, pages)
    h = hashlib.sha256("\n".join(files).encode())
    for page in pages:
        h.update(page.read_bytes())
    text = (Path(src) / "sw.js").read_text(encoding="utf-8")
    text = replace_marker(text, "// @version", f"const VERSION = {json.dumps(h.hexdigest()[:HASH_LEN])}; // @version")
    text = replace_marker(text, "// @precache", f"const PRECACHE = {json.dumps(files)}; // @precache")
    path = Path(site_dir) / "sw.js"
    path.write_text(text, encoding="utf-8")
    return path
