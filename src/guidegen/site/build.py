"""``guidegen site``: the whole site — both languages, the calculator's runtime, the bureau
desk, the search index — built by one engine chosen by name.

    guidegen site [--edition FILE] [--engine properdocs|zensical|mkdocs] OUT

``--edition``: the site's configuration, ``mkdocs.yml`` (the default) or a bureau edition
(``editions/changzhou.yml``: ``INHERIT: ../mkdocs.yml`` and the ``guidegen`` plugin's
``publish``/``bureau`` options). The same file drives every engine.

Engines:

- ``properdocs`` (the default; pinned in pyproject.toml): the maintained continuation of
  MkDocs 1.x. Runs the ``guidegen`` plugin, mkdocs-static-i18n and Material unchanged.
- ``mkdocs``: MkDocs 1.6.1 itself, kept only to show the two give the same site
  (tests/test_site.py compares them).
- ``zensical``: Zensical with zensical-i18n, which have no plugin hooks. What the plugin
  does inside MkDocs is done here around the engine (see docs-dev/engine-move.md): the
  markdown tree from ``guidegen.site.generate``, one config with the navigation and the
  bureau's texts per language, the engine's build, then the search index per language
  (Zensical writes each language as a site of its own) and the calculator's runtime.
  Zensical is not a project dependency: it runs from its own environment, found as
  ``--zensical PATH`` (the ``zensical-i18n`` program), ``$GUIDEGEN_ZENSICAL`` or on PATH.

Nothing here is specific to one engine's output beyond where each language's pages sit.
"""

from __future__ import annotations

import functools
import html
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["ENGINES", "SiteBuildError", "SiteBuild", "build_site", "zensical_program"]

ENGINES = ("properdocs", "zensical", "mkdocs")
ZENSICAL_PROGRAM = "zensical-i18n"


class SiteBuildError(RuntimeError):
    """The engine failed or is missing; the message says what happened and what to do."""


@dataclass(frozen=True)
class SiteBuild:
    engine: str
    out: Path
    log: str        # what the engine printed (stdout and stderr)


def _project_root(start: Path) -> Path:
    """The project folder: the nearest folder at or above ``start`` (else the working
    folder) with calculator/app.js."""
    for base in (start, Path.cwd()):
        for folder in (base, *base.parents):
            if (folder / "calculator" / "app.js").is_file():
                return folder
    return start


def build_site(out: Path, *, edition: Path | None = None, engine: str = "properdocs",
               zensical: str | None = None, strict: bool = True) -> SiteBuild:
    """Build the site described by ``edition`` (default ``./mkdocs.yml``) into ``out``."""
    if engine not in ENGINES:
        raise SiteBuildError(f"unknown engine {engine!r} (one of: {', '.join(ENGINES)})")
    config = Path(edition or "mkdocs.yml").resolve()
    if not config.is_file():
        raise SiteBuildError(f"no site configuration at {config}")
    out = Path(out).resolve()
    if engine == "zensical":
        return _build_zensical(config, out, program=zensical_program(zensical), strict=strict)
    return _build_mkdocs_like(engine, config, out, strict=strict)


# ------------------------------------------------------------------ ProperDocs / MkDocs

def _engine_env() -> dict[str, str]:
    # Material's and ProperDocs' notices about each other's future are printed by MkDocs
    # runs only; the comparison build needs neither.
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", DISABLE_MKDOCS_2_WARNING="true", PYTHONWARNINGS="ignore")


def _build_mkdocs_like(engine: str, config: Path, out: Path, *, strict: bool) -> SiteBuild:
    # `-f` always: ProperDocs looks for properdocs.yml first and asks to rename mkdocs.yml
    # when it falls back to it; the project keeps the one name both engines read.
    command = [sys.executable, "-m", engine, "build", "-f", str(config), "-d", str(out)]
    if strict:
        command.insert(4, "--strict")
    proc = subprocess.run(command, cwd=_project_root(config.parent), env=_engine_env(),
                          capture_output=True, text=True, timeout=1200, check=False)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise SiteBuildError(f"{engine} build failed (exit {proc.returncode}):\n{log[-4000:]}")
    return SiteBuild(engine=engine, out=out, log=log)


# ------------------------------------------------------------------ Zensical

def zensical_program(given: str | None = None) -> str:
    """The ``zensical-i18n`` program to run, or SiteBuildError saying how to install it."""
    candidates = [given, os.environ.get("GUIDEGEN_ZENSICAL"), shutil.which(ZENSICAL_PROGRAM)]
    for c in candidates:
        if c and Path(c).is_file() and os.access(c, os.X_OK):
            return str(Path(c).resolve()) if "/" in c else c
        if c and "/" not in c and shutil.which(c):
            return shutil.which(c)
    raise SiteBuildError(
        "the zensical engine needs zensical-i18n, in an environment of its own:\n"
        "  python3 -m venv /tmp/zvenv && /tmp/zvenv/bin/pip install zensical==0.0.73 zensical-i18n==0.3.0\n"
        "then pass --zensical /tmp/zvenv/bin/zensical-i18n (or set GUIDEGEN_ZENSICAL)")


def _raw_config(config: Path) -> dict:
    """The configuration as MkDocs reads it (INHERIT merged, !ENV resolved)."""
    from properdocs.utils.yaml import yaml_load
    with open(config, "rb") as f:
        return yaml_load(f)


def _plugin_entries(raw: dict) -> dict[str, Any]:
    plugins = raw.get("plugins") or {}
    if isinstance(plugins, list):
        out = {}
        for entry in plugins:
            out.update(entry if isinstance(entry, dict) else {entry: {}})
        return out
    return dict(plugins)


def _guidegen_options(raw: dict):
    """The ``guidegen`` plugin's options, validated by the plugin's own schema."""
    from .plugin import GuidegenConfig, UNUSED_THEME_FILES
    options = GuidegenConfig()
    options.load_dict(_plugin_entries(raw).get("guidegen") or {})
    errors, _warnings = options.validate()
    if errors:
        raise SiteBuildError("; ".join(f"plugins.guidegen.{k}: {e}" for k, e in errors))
    return options


def _yaml_safe(value):
    """A config value as plain YAML: a slugify function (toc) becomes the {object, kwds}
    form Zensical reads."""
    if isinstance(value, functools.partial) and value.func.__module__ == "pymdownx.slugs":
        # pymdownx.slugs.slugify(case=…) is a partial of its private _uslugify
        kwds = dict(value.keywords)
        return {"object": "pymdownx.slugs.slugify",
                "kwds": {"case": kwds.get("case", "none"), "percent_encode": kwds.get("percent_encode", False),
                         "normalize": kwds.get("normalize", "NFC")}}
    if isinstance(value, dict):
        return {k: _yaml_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_yaml_safe(v) for v in value]
    return value


def _build_zensical(config: Path, out: Path, *, program: str, strict: bool) -> SiteBuild:
    import yaml

    from ..catalog import CatalogError, load_catalog
    from . import generate
    from .edition import edition_bundle, resolve as resolve_edition
    from .generate import DEFAULT_LANG, LANGS, SiteOptions, navigation, neutral_pages, ui
    from .plugin import OVERRIDES_DIR
    from .search import build_search_index

    raw = _raw_config(config)
    here = config.parent
    project = _project_root(here)
    options = _guidegen_options(raw)
    catalog_dir = (here / options.catalog).resolve()
    try:
        catalog = load_catalog(catalog_dir, calls=[here / f for f in options.calls])  # a bureau's own calls
    except CatalogError as exc:
        raise SiteBuildError(f"{len(exc.problems)} problem(s) in the catalog {catalog_dir}:\n"
                             + "\n".join(f"  {p}" for p in exc.problems)) from None
    publish, bureau = options.publish, options.bureau
    docs_dir = (here / raw.get("docs_dir", "docs")).resolve()
    site_options = SiteOptions(schemes=tuple(publish.schemes), guides=tuple(publish.guides), docs_dir=docs_dir,
                               calculator=None if publish.calculator else False)
    log: list[str] = []
    with tempfile.TemporaryDirectory(prefix="guidegen-zensical-") as tmp:
        work = Path(tmp)
        tree = work / "docs"
        # 1. the markdown tree, both languages in the suffix layout (the plugin's on_config)
        written = generate.render_tree(catalog, tree, site_options)
        # exclude_docs (gitignore patterns, as MkDocs reads them): Zensical 0.0.73 copies them
        if raw.get("exclude_docs"):
            import pathspec
            spec = pathspec.GitIgnoreSpec.from_lines(str(raw["exclude_docs"]).splitlines())
            for path in list(written):
                if spec.match_file(path.relative_to(tree).as_posix()):
                    path.unlink()
                    written.remove(path)
        present = neutral_pages(p.relative_to(tree).as_posix() for p in written)
        full = catalog.bundle()
        bundle = edition_bundle(full, resolve_edition(full, schemes=site_options.schemes,
                                                      guides=site_options.guides))
        logo = None
        if bureau.logo:
            if (docs_dir / bureau.logo).is_file():
                logo = Path(bureau.logo).as_posix()
            else:
                source = (here / bureau.logo).resolve()
                if not source.is_file():
                    raise SiteBuildError(f"bureau.logo {bureau.logo!r} is neither in {docs_dir} nor at {source}")
                logo = f"assets/bureau/{source.name}"
                (tree / logo).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, tree / logo)
        # 2. one theme folder: the package's overrides, the project's own custom_dir over them
        #    (MkDocs stacks both; Zensical takes one folder)
        theme = dict(raw.get("theme") or {})
        overrides = work / "overrides"
        shutil.copytree(OVERRIDES_DIR, overrides)
        if theme.get("custom_dir"):
            shutil.copytree((here / theme["custom_dir"]).resolve(), overrides, dirs_exist_ok=True)
        theme["custom_dir"] = str(overrides)
        if logo:
            theme["logo"] = logo
        # 3. per language what the plugin's on_pre_build sets: navigation, site name, the
        #    bureau's lines and the search texts (extra.guidegen, read by the overrides)
        i18n = _plugin_entries(raw).get("i18n") or {}
        languages = []
        for entry in i18n.get("languages") or [{"locale": lang, "default": lang == DEFAULT_LANG} for lang in LANGS]:
            lang = entry["locale"]
            if lang not in LANGS:
                continue
            name = bureau.name[lang] if bureau.name else None
            language = {k: v for k, v in entry.items() if k in ("locale", "name", "default", "build",
                                                                 "site_name", "site_description")}
            if name:
                language["site_name"] = html.escape(name, quote=True)
            language.setdefault("site_name", raw.get("site_name") if lang == DEFAULT_LANG else ui("title.home", lang))
            language["nav"] = navigation(catalog, site_options, lang, present)
            language["extra"] = {**(raw.get("extra") or {}), "guidegen": {
                "lang": lang, "name": name, "logo": logo,
                "contact": bureau.contact[lang] if bureau.contact else None,
                "footer": bureau.footer[lang] if bureau.footer else None,
                "search": {k: ui(f"search.{k}", lang) for k in ("label", "close", "hint", "error")},
                # each language is a site of its own: the shared runtime (calculator/) sits one up
                "root": "" if lang == DEFAULT_LANG else "../",
            }}
            languages.append(language)
        engine_config = {
            "site_name": raw.get("site_name"),
            "site_description": raw.get("site_description"),
            "docs_dir": "docs", "site_dir": "site",
            "theme": theme,
            "plugins": {"i18n": {"docs_structure": "suffix", "languages": languages}},
            "extra": {**(raw.get("extra") or {})},
            "markdown_extensions": _yaml_safe(raw.get("markdown_extensions") or []),
        }
        if raw.get("site_url"):
            engine_config["site_url"] = raw["site_url"]
        (work / "mkdocs.yml").write_text(yaml.safe_dump(engine_config, allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
        # 4. the engine builds both languages (Chinese at /, English at /en/)
        command = [program, "build", "--clean"] + (["--strict"] if strict else [])
        proc = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=1200, check=False,
                              env=dict(os.environ, PYTHONWARNINGS="ignore"))
        log.append(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            raise SiteBuildError(f"zensical build failed (exit {proc.returncode}):\n{log[-1][-4000:]}")
        site = work / "site"
        # 5. Material's lunr search is not this site's (Pagefind is), nor is Zensical's own
        #    index (search.json per language; never fetched: the header's search is Pagefind's)
        _drop_unused_theme_files(site)
        for lang in LANGS:
            (site / ("search.json" if lang == DEFAULT_LANG else f"{lang}/search.json")).unlink(missing_ok=True)
        # 6. the search index, one per language, beside each language's pages
        for lang in LANGS:
            root = site if lang == DEFAULT_LANG else site / lang
            others = tuple(l for l in LANGS if l != lang) if lang == DEFAULT_LANG else ()
            stats = build_search_index(root, exclude_dirs=others)
            log.append(f"search ({lang}): indexed {stats.pages} pages")
        # 7. the calculator's and the desk's runtime, once, at the site's root
        if generate.SiteModel(catalog, site_options).calculator:
            from .calculator import build_calculator_assets
            try:
                files = build_calculator_assets(bundle, site, root=project)
            except Exception as exc:  # the runtime's own error types say what is missing
                if type(exc).__name__.endswith("BuildError"):
                    raise SiteBuildError(f"calculator: {exc}") from None
                raise
            log.append(f"calculator: wrote {len(files)} files")
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(site, out)
    return SiteBuild(engine="zensical", out=out, log="\n".join(log))


def _drop_unused_theme_files(site: Path) -> list[str]:
    from .plugin import UNUSED_THEME_FILES
    dropped = []
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        # in every language's copy of the theme (en/assets/... with Zensical)
        for unused in UNUSED_THEME_FILES:
            if (rel.startswith(unused) or f"/{unused}" in f"/{rel}") and path.exists():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
                dropped.append(rel)
    return dropped


def main(args) -> int:
    """The ``guidegen site`` subcommand (guidegen.cli)."""
    try:
        result = build_site(Path(args.out), edition=Path(args.edition) if args.edition else None,
                            engine=args.engine, zensical=args.zensical)
    except SiteBuildError as exc:
        print(f"guidegen site: {exc}", file=sys.stderr)
        return 1
    if result.log.strip():
        print(result.log.rstrip(), file=sys.stderr)  # the engine's own report
    pages = sum(1 for _ in result.out.rglob("*.html"))
    print(f"built {pages} pages with {result.engine} into {result.out}")
    return 0
