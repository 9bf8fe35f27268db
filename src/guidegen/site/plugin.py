"""The ``guidegen`` MkDocs plugin: a thin adapter around guidegen.site.generate.

How it works (hooks in the order MkDocs calls them):

- ``on_config``: load and validate the catalog (a broken catalog raises
  PluginError naming file:line, before MkDocs writes anything), render the
  hand-written ``docs/`` plus the generated pages into a private temporary
  folder and point ``docs_dir`` at it; add the package's theme overrides; set
  the bureau's logo. mkdocs-static-i18n (listed after this plugin) rebuilds
  once per language with the same config object; those nested calls find
  ``docs_dir`` already pointing at the rendered folder and reuse it.
- ``on_pre_build``: per language (the theme language the i18n plugin set),
  the navigation with translated section titles, the bureau's site name and
  its footer lines (read by overrides/partials/copyright.html).
- ``on_post_page``: drop the head's alternate links (see there).
- ``on_post_build``: once the last language is built, a sitemap per language
  folder, the search index (Pagefind, one index per language:
  guidegen.site.search) and the calculator's runtime files
  (guidegen.site.calculator).
- ``on_serve``: watch the catalog, the real docs folder and the overrides
  instead of the rendered folder, so editing a catalog file reloads the site.
- ``on_shutdown``: remove the rendered folder.
"""

from __future__ import annotations

import html
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger

from ..catalog import CatalogError, load_catalog
from . import generate
from .edition import EditionError, edition_bundle, resolve as resolve_edition
from .generate import DEFAULT_LANG, LANGS, SiteOptions, SiteOptionsError, ui
from .search import SearchIndexError, build_search_index

__all__ = ["GuidegenPlugin", "GuidegenConfig", "UNUSED_THEME_FILES"]

# Material's own search (lunr and its worker): this site searches with Pagefind
# (guidegen.site.search), so these are never loaded and are not copied into a site.
UNUSED_THEME_FILES = ("assets/javascripts/lunr/", "assets/javascripts/workers/search.")

log = get_plugin_logger(__name__)

OVERRIDES_DIR = Path(__file__).resolve().parent / "overrides"
_HEAD_ALTERNATE = re.compile(r'\s*<link rel="alternate" href="[^"]*" hreflang="[^"]*">')


class BilingualText(c.BaseConfigOption):
    """A text for both languages: ``{zh: ..., en: ...}``, or one string used for both."""

    def run_validation(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            return {lang: value for lang in LANGS}
        if isinstance(value, dict) and set(value) <= set(LANGS) and all(isinstance(v, str) for v in value.values()):
            if DEFAULT_LANG not in value:
                raise c.ValidationError(f"needs at least the '{DEFAULT_LANG}' text")
            return {lang: value.get(lang, value[DEFAULT_LANG]) for lang in LANGS}
        raise c.ValidationError(f"expected a string or {{{', '.join(LANGS)}}} strings, got {value!r}")


class PublishConfig(base.Config):
    """Which parts of the catalog this site publishes (empty: all)."""

    schemes = c.ListOfItems(c.Type(str), default=[])
    guides = c.ListOfItems(c.Type(str), default=[])
    calculator = c.Type(bool, default=True)


class BureauConfig(base.Config):
    """The publishing bureau's identity; every text may differ per language."""

    name = BilingualText()        # site name in the header and the browser tab
    logo = c.Optional(c.Type(str))  # inside docs/ (assets/logo.svg) or relative to this config file
    contact = BilingualText()     # one line in the footer: address, phone, e-mail
    footer = BilingualText()      # e.g. the ICP record number (ICP备案号)


class GuidegenConfig(base.Config):
    catalog = c.Type(str, default="catalogs")  # relative to mkdocs.yml
    # A bureau's own call of a scheme (issue 22, catalog/calls.py): files relative to this config
    # file, each replacing one scheme's `scope: call` rows in the pages and the calculator alike.
    calls = c.ListOfItems(c.Type(str), default=[])
    publish = c.SubConfig(PublishConfig)
    bureau = c.SubConfig(BureauConfig)


class GuidegenPlugin(BasePlugin[GuidegenConfig]):
    def __init__(self):
        super().__init__()
        self.user_nav = None
        self.catalog = None
        self.options: SiteOptions | None = None
        self.source_docs_dir: Path | None = None
        self.rendered_dir: Path | None = None
        self.present_pages: set[str] = set()
        self.build_depth = 0
        self.bundle: dict | None = None      # the calculator bundle of this edition
        self.logo: str | None = None         # the bureau's logo, relative to the site root

    # ---------------------------------------------------------------- hooks

    def on_config(self, config):
        if self.rendered_dir is not None and Path(config.docs_dir) == self.rendered_dir:
            return config  # the i18n plugin's build of another language: already set up
        self.build_depth = 0
        project_dir = Path(config.config_file_path).resolve().parent
        catalog_dir = (project_dir / self.config.catalog).resolve()
        try:
            self.catalog = load_catalog(catalog_dir, calls=[project_dir / f for f in self.config.calls])
        except CatalogError as exc:
            problems = "\n".join(f"  {p}" for p in exc.problems)
            raise PluginError(f"guidegen: {len(exc.problems)} problem(s) in the catalog {catalog_dir}:\n{problems}") from None
        publish = self.config.publish
        self.source_docs_dir = Path(config.docs_dir).resolve()
        self.options = SiteOptions(schemes=tuple(publish.schemes), guides=tuple(publish.guides),
                                   docs_dir=self.source_docs_dir,
                                   calculator=None if publish.calculator else False)
        if self.rendered_dir is None:
            self.rendered_dir = Path(tempfile.mkdtemp(prefix="guidegen-docs-"))
        else:  # serve: render afresh into the same (unwatched) folder
            for child in self.rendered_dir.iterdir():
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        try:
            written = generate.render_tree(self.catalog, self.rendered_dir, self.options)
            # The calculator asks and scores only what the edition publishes (guidegen.site.edition).
            full = self.catalog.bundle()
            self.bundle = edition_bundle(full, resolve_edition(full, schemes=self.options.schemes,
                                                                 guides=self.options.guides))
        except (SiteOptionsError, EditionError) as exc:
            raise PluginError(f"guidegen: {exc}") from None
        self.logo = self._place_logo(project_dir)
        self.present_pages = generate.neutral_pages(p.relative_to(self.rendered_dir).as_posix() for p in written)
        log.info(f"rendered {len(written)} files from {catalog_dir} and {self.source_docs_dir}")
        config.docs_dir = str(self.rendered_dir)
        self.user_nav = config.nav
        # The package's overrides (main.html, footer partial, styles) sit after the
        # project's own custom_dir, so a bureau can still override any of them.
        dirs = config.theme.dirs
        if str(OVERRIDES_DIR) not in dirs:
            dirs.insert(1 if config.theme.custom_dir else 0, str(OVERRIDES_DIR))
        if self.logo:
            config.theme["logo"] = self.logo
        return config

    def on_pre_build(self, *, config):
        self.build_depth += 1
        lang = self._language(config)
        if self.user_nav is None:
            config.nav = generate.navigation(self.catalog, self.options, lang, self.present_pages)
        bureau = self.config.bureau
        if bureau.name:
            # Material prints site_name as HTML in several places; the bureau's name is text.
            config.site_name = html.escape(bureau.name[lang], quote=True)
        config.extra["guidegen"] = {
            "lang": lang,
            # name (plain text, escaped where printed) and logo: the calculator page's header
            "name": bureau.name[lang] if bureau.name else None,
            "logo": self.logo,
            "contact": bureau.contact[lang] if bureau.contact else None,
            "footer": bureau.footer[lang] if bureau.footer else None,
            # partials/gg-search.html: the search button and dialog in the page's language
            "search": {key: ui(f"search.{key}", lang) for key in ("label", "close", "hint", "error")},
        }

    def on_files(self, files, *, config):
        # Material's own search (lunr and its worker) is never loaded: the site searches
        # with Pagefind. Its files are not copied into the site.
        for file in list(files):
            if file.src_uri.startswith(UNUSED_THEME_FILES) and not file.src_uri.endswith(".md"):
                files.remove(file)
        return files

    def on_post_page(self, output, *, page, config):
        # Material fetches sitemap.xml beside every <link rel="alternate"> of the head;
        # mkdocs-static-i18n points those at the page itself, so each page view asked
        # for two missing files (404s in every bureau's log). The language switch in the
        # header keeps its per-page links and works without them.
        head, sep, body = output.partition("</head>")
        return _HEAD_ALTERNATE.sub("", head) + sep + body

    # After mkdocs-static-i18n (priority -100), which builds the other languages
    # inside its own on_post_build: the calculator step then sees every page.
    @event_priority(-200)
    def on_post_build(self, *, config):
        self.build_depth -= 1
        if self.build_depth > 0:
            return  # another language is still to come
        self._write_sitemaps(config)
        try:
            stats = build_search_index(Path(config.site_dir))
        except SearchIndexError as exc:
            raise PluginError(f"guidegen: search: {exc}") from None
        log.info(f"search: indexed {stats.pages} pages "
                 f"({', '.join(f'{lang} {n}' for lang, n in sorted(stats.languages.items()))})")
        if not self.config.publish.calculator:
            return
        from . import calculator
        project_dir = _project_root(Path(config.config_file_path).resolve().parent)
        build_error = getattr(calculator, "CalculatorBuildError", None)
        try:
            files = calculator.build_calculator_assets(self.bundle or self.catalog, Path(config.site_dir),
                                                       root=project_dir)
        except NotImplementedError:
            log.info("the calculator's runtime files are not implemented yet; site built without them")
            return
        except Exception as exc:
            if build_error is not None and isinstance(exc, build_error):
                raise PluginError(f"guidegen: calculator: {exc}") from None
            raise
        log.info(f"calculator: wrote {len(files)} files")

    def on_serve(self, server, *, config, builder):
        # MkDocs watches docs_dir, which is the rendered folder: rendering into it
        # would trigger another rebuild. Watch the real sources instead.
        if self.rendered_dir is not None:
            try:
                server.unwatch(str(self.rendered_dir))
            except KeyError:
                pass
        project_dir = Path(config.config_file_path).resolve().parent
        calls = [project_dir / f for f in self.config.calls]  # a bureau's call files reload the site too
        for path in (self.source_docs_dir, Path(self.catalog.root), OVERRIDES_DIR, *calls):
            if path is not None and path.exists():
                server.watch(str(path))
        return server

    def on_shutdown(self):
        if self.rendered_dir is not None:
            shutil.rmtree(self.rendered_dir, ignore_errors=True)
            self.rendered_dir = None

    # ---------------------------------------------------------------- helpers

    def _place_logo(self, project_dir: Path) -> str | None:
        """The bureau's logo as a path inside the rendered docs: a file of docs/ stays where
        it is; a file beside the config (an edition's own logo) is copied in, so one
        edition's logo is never part of another edition's site."""
        logo = self.config.bureau.logo
        if not logo:
            return None
        if (self.source_docs_dir / logo).is_file():
            return Path(logo).as_posix()
        source = (project_dir / logo).resolve()
        if not source.is_file():
            raise PluginError(f"guidegen: bureau.logo {logo!r} is neither in {self.source_docs_dir} "
                              f"nor at {source}")
        target = Path("assets") / "bureau" / source.name
        (self.rendered_dir / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, self.rendered_dir / target)
        return target.as_posix()

    @staticmethod
    def _write_sitemaps(config) -> None:
        """One sitemap per language folder, as Material's language selector fetches
        ``en/sitemap.xml`` too. Without a site_url a sitemap cannot hold absolute
        URLs (MkDocs would write "None/..."), so it is written empty."""
        site = Path(config.site_dir)
        root = site / "sitemap.xml"
        if not config.site_url:
            root.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>\n', encoding="utf-8")
            (site / "sitemap.xml.gz").unlink(missing_ok=True)
        if not root.is_file():
            return
        for lang in LANGS:
            if lang != DEFAULT_LANG and (site / lang).is_dir():
                shutil.copyfile(root, site / lang / "sitemap.xml")

    @staticmethod
    def _language(config) -> str:
        """The language being built: the theme language mkdocs-static-i18n sets per build."""
        lang = config.theme.get("language") or DEFAULT_LANG
        return lang if lang in LANGS else DEFAULT_LANG


def _project_root(config_dir: Path) -> Path:
    """The folder holding the calculator's sources (calculator/, node_modules/): the
    config's own folder, or the nearest one above it (editions/changzhou.yml)."""
    for folder in (config_dir, *config_dir.parents):
        if (folder / "calculator" / "app.js").is_file():
            return folder
    return config_dir
