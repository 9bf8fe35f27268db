"""guidegen command line: validate, export, evaluate, render, calculator, batch."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["main"]

DEFAULT_CATALOG = "catalogs"


def _load(catalog_dir: str, calls=None):
    """The catalog, with each ``--call FILE`` (a bureau's own call of a scheme, catalog/calls.py) applied."""
    from .catalog import CatalogError, load_catalog
    try:
        return load_catalog(catalog_dir, calls=tuple(calls or ()))
    except CatalogError as exc:
        for p in exc.problems:
            print(p, file=sys.stderr)
        where = " + ".join([catalog_dir, *(calls or ())])
        print(f"{len(exc.problems)} problem(s) in {where}", file=sys.stderr)
        raise SystemExit(1) from None


def cmd_validate(args) -> int:
    catalog = _load(args.catalog_dir, args.call)
    counts = ", ".join(f"{v} {k}" for k, v in catalog.counts().items())
    calls = "".join(f" + call {c}" for c in args.call or ())
    print(f"ok: {args.catalog_dir}{calls}: {counts}")
    return 0


def cmd_export(args) -> int:
    bundle = _load(args.catalog, args.call).bundle()
    Path(args.out).write_text(json.dumps(bundle, ensure_ascii=False, indent=None, sort_keys=False), encoding="utf-8")
    print(f"wrote {args.out} (bundle {bundle['version']})")
    return 0


def cmd_evaluate(args) -> int:
    from .core import ProfileError, evaluate
    from .profile_file import ProfileFileError, read_profile
    bundle = _load(args.catalog, args.call).bundle()
    try:
        profile = read_profile(args.profile)
    except ProfileFileError as exc:  # the one reader's reason, as the desk words it
        print(f"{args.profile}: {exc.message['zh']} / {exc.message['en']}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{args.profile}: 无法打开档案 / cannot open the profile: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        result = evaluate(bundle, profile, schemes=args.scheme or None, today=args.today)
    except ProfileError as exc:
        for e in exc.errors:
            where = "--today" if e["field"] == "today" else "--scheme" if e["field"] == "schemes" else args.profile
            print(f"{where}: {e['field']}: {e['message']['zh']} / {e['message']['en']}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        from .report import text_report
        from .site.messages import load_messages
        print(text_report(result, load_messages("verdicts")))
    return 0


def cmd_questions(args) -> int:
    from .core import ProfileError, questions
    bundle = _load(args.catalog, args.call).bundle()
    try:
        asked = questions(bundle, args.scheme or None)
    except ProfileError as exc:
        for e in exc.errors:
            print(f"--scheme: {e['message']['zh']} / {e['message']['en']}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(asked, ensure_ascii=False, indent=2))
    else:
        from .report import questions_report
        print(questions_report(bundle, asked))
    return 0


def cmd_render(args) -> int:
    from .site.generate import SiteOptions, render_tree
    from .site.generate import SiteOptionsError
    catalog = _load(args.catalog, args.call)
    try:
        options = SiteOptions(schemes=tuple(args.scheme or ()), guides=tuple(args.guide or ()))
        written = render_tree(catalog, Path(args.out_dir), options)
    except SiteOptionsError as exc:
        print(f"guidegen render: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} pages to {args.out_dir}")
    return 0


def cmd_batch(args) -> int:
    from .desk import DeskError, batch_folder
    bundle = _load(args.catalog, args.call).bundle()
    try:
        counts = batch_folder(bundle, args.dir, args.out, scheme=args.scheme, today=args.today, lang=args.lang,
                              include_pending=args.include_pending, reviewed=args.reviewed or ())
    except DeskError as exc:
        print(f"guidegen batch: {exc.message['zh']} / {exc.message['en']}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"guidegen batch: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}: {counts['rows']} applicant(s) in the summary table, "
          f"{counts['applicants'] - counts['rows']} on the pre-screen sheet only, {counts['problems']} problem(s)")
    return 0


def cmd_calculator(args) -> int:
    from .site.calculator import build_calculator_assets
    catalog = _load(args.catalog, args.call)
    files = build_calculator_assets(catalog, Path(args.out_dir), root=Path(args.project_root))
    print(f"wrote {len(files)} calculator files to {args.out_dir}")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="guidegen", description="guidegen: smart-manufacturing scheme guide and self-assessment")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="validate a catalog folder")
    p.add_argument("catalog_dir", nargs="?", default=DEFAULT_CATALOG)
    p.add_argument("--call", action="append", metavar="FILE",
                   help="a bureau's own call of a scheme (YAML, docs-dev/bureau.md): replaces that scheme's "
                        "scope: call rows (repeatable, one file per scheme)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("export", help="write the compiled JSON bundle")
    p.add_argument("out")
    p.add_argument("--call", action="append", metavar="FILE",
                   help="a bureau's own call of a scheme (YAML, docs-dev/bureau.md): replaces that scheme's "
                        "scope: call rows (repeatable, one file per scheme)")
    p.add_argument("--catalog", default=DEFAULT_CATALOG)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("evaluate", help="evaluate a profile (YAML or JSON) against the schemes")
    p.add_argument("profile")
    p.add_argument("--scheme", action="append", help="limit to this scheme id (repeatable)")
    p.add_argument("--json", action="store_true", help="print the result JSON")
    p.add_argument("--today", help="evaluation date YYYY-MM-DD (default: today); decides the call status")
    p.add_argument("--call", action="append", metavar="FILE",
                   help="a bureau's own call of a scheme (YAML, docs-dev/bureau.md): replaces that scheme's "
                        "scope: call rows (repeatable, one file per scheme)")
    p.add_argument("--catalog", default=DEFAULT_CATALOG)
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("questions", help="list the questions the chosen schemes read, in form order")
    p.add_argument("--scheme", action="append", help="this scheme id (repeatable; default all)")
    p.add_argument("--json", action="store_true", help="print the question list JSON")
    p.add_argument("--call", action="append", metavar="FILE",
                   help="a bureau's own call of a scheme (YAML, docs-dev/bureau.md): replaces that scheme's "
                        "scope: call rows (repeatable, one file per scheme)")
    p.add_argument("--catalog", default=DEFAULT_CATALOG)
    p.set_defaults(func=cmd_questions)

    p = sub.add_parser("render", help="write the generated markdown tree (engine-independent)")
    p.add_argument("out_dir")
    p.add_argument("--scheme", action="append", help="publish only this scheme (repeatable; default all)")
    p.add_argument("--guide", action="append", help="publish only this scene guide (repeatable; default all)")
    p.add_argument("--call", action="append", metavar="FILE",
                   help="a bureau's own call of a scheme (YAML, docs-dev/bureau.md): replaces that scheme's "
                        "scope: call rows (repeatable, one file per scheme)")
    p.add_argument("--catalog", default=DEFAULT_CATALOG)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("batch", help="pre-screen a folder of profiles for one scheme and write its summary workbook (.xlsx)")
    p.add_argument("dir", help="folder of profiles (the calculator's exports, JSON or YAML)")
    p.add_argument("--scheme", required=True, help="the scheme whose summary table (推荐汇总表) to fill")
    p.add_argument("--today", help="evaluation date YYYY-MM-DD (default: today); decides the call status")
    p.add_argument("--out", required=True, help="the workbook to write (.xlsx)")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the pre-screen and problems sheets")
    p.add_argument("--include-pending", action="store_true",
                   help="list pending applicants in the summary table too, marked （待确认） (default: only those that qualify)")
    p.add_argument("--reviewed", action="append", metavar="FILE",
                   help="a file whose materials the bureau reviewed and passed (repeatable): its remarks say 材料审核通过, "
                        "not 材料待审核")
    p.add_argument("--call", action="append", metavar="FILE",
                   help="a bureau's own call of a scheme (YAML, docs-dev/bureau.md): replaces that scheme's "
                        "scope: call rows (repeatable, one file per scheme)")
    p.add_argument("--catalog", default=DEFAULT_CATALOG)
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("calculator", help="build the calculator's runtime files (wheel, bundle, Pyodide)")
    p.add_argument("out_dir")
    p.add_argument("--call", action="append", metavar="FILE",
                   help="a bureau's own call of a scheme (YAML, docs-dev/bureau.md): replaces that scheme's "
                        "scope: call rows (repeatable, one file per scheme)")
    p.add_argument("--catalog", default=DEFAULT_CATALOG)
    p.add_argument("--project-root", default=".")
    p.set_defaults(func=cmd_calculator)

    p = sub.add_parser("site", help="build the whole site (both languages, calculator, desk, search) with one engine")
    p.add_argument("out", help="the folder to write the site into (replaced)")
    p.add_argument("--edition", help="the site's configuration: mkdocs.yml (default) or editions/NAME.yml")
    p.add_argument("--engine", choices=("properdocs", "zensical", "mkdocs"), default="properdocs",
                   help="properdocs (default); zensical (from its own environment, see --zensical); "
                        "mkdocs (MkDocs 1.6.1, for comparison)")
    p.add_argument("--zensical", help="the zensical-i18n program (default: $GUIDEGEN_ZENSICAL, then PATH)")
    p.set_defaults(func=lambda a: __import__("guidegen.site.build", fromlist=["main"]).main(a))

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
