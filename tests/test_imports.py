"""The rooms of src/guidegen and what each may import, read from the code (ast, no import).

- no circle among guidegen's modules (an import inside a function counts too);
- each room imports only the rooms below it (ROOMS);
- ``core`` imports the standard library only (it runs under Pyodide);
- outside ``core``, code uses ``guidegen.core``'s public ``__init__``, never a submodule;
- docs-dev/architecture.md's room table is this file's ROOMS and the imports as they are
  (``python tests/test_imports.py`` rewrites it).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
ARCHITECTURE = ROOT / "docs-dev" / "architecture.md"

# room -> (the guidegen rooms it may import, what it is for). A room is a subpackage
# (core, catalog, runtime, site) or a top-level module (cli, desk, report, profile_file).
ROOMS: dict[str, tuple[set[str], str]] = {
    "core": (set(), "the engine: profile checks, derived facts, rules, scores, plans, questions (stdlib only; "
                    "runs in the browser)"),
    "catalog": ({"core"}, "reads and validates catalogs/*.yaml, compiles the JSON bundle"),
    "profile_file": ({"core"}, "the one reader of profile files (YAML/JSON, BOM, size limit)"),
    "report": ({"core"}, "the text report of a result (CLI)"),
    "desk": ({"core", "profile_file", "report"}, "the bureau desk: a folder of profiles → the scheme's summary "
                                                 "workbook (also runs in the browser)"),
    "runtime": ({"core", "catalog"}, "the browser runtimes: wheel, trimmed stdlib, both as bytecode compiled by Pyodide's own Python, Pyodide file list, bundle parts"),
    "site": ({"core", "catalog", "runtime", "desk", "profile_file", "report"},
             "the pages: generator, templates, search, editions, the site plugin"),
    "cli": ({"core", "catalog", "runtime", "site", "desk", "profile_file", "report"}, "`guidegen` commands"),
    "guidegen": (set(), "the package itself (version)"),
}

# What core may import: the standard library modules it uses today (add one deliberately).
CORE_STDLIB = {"__future__", "datetime", "decimal", "difflib", "json", "re", "unicodedata", "math", "functools",
               "itertools", "collections", "dataclasses", "typing", "bisect", "heapq", "operator", "string"}


def modules() -> dict[str, tuple[Path, bool]]:
    """guidegen.x.y -> (file, is a package __init__)."""
    out = {}
    for path in sorted((SRC / "guidegen").rglob("*.py")):
        rel = path.relative_to(SRC).with_suffix("")
        package = rel.name == "__init__"
        out[".".join(rel.parts[:-1] if package else rel.parts)] = (path, package)
    return out


def imports() -> list[tuple[str, str, int, str]]:
    """(importing module, imported name as written, absolute, line) for every import."""
    out = []
    for name, (path, package) in modules().items():
        here = name.split(".") if package else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                out += [(name, a.name, node.lineno, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - node.level + 1] + [node.module] if node.level else [node.module]) \
                    if node.module else ".".join(here[: len(here) - node.level + 1])
                out.append((name, base, node.lineno, "from"))
                out += [(name, f"{base}.{a.name}", node.lineno, "from-name") for a in node.names]
    return out


def graph() -> dict[str, set[str]]:
    """Module -> guidegen modules it imports (``from pkg import sub`` counts sub)."""
    mods = modules()
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for src, target, _, how in imports():
        if not target.startswith("guidegen"):
            continue
        if how == "from-name" and target not in mods:
            continue  # a name, not a module
        while target not in mods and "." in target:
            target = target.rsplit(".", 1)[0]
        if target in mods and target != src:
            edges[src].add(target)
    return edges


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "guidegen"


def room_edges() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {r: set() for r in ROOMS}
    for src, targets in graph().items():
        for t in targets:
            if room(src) != room(t):
                out.setdefault(room(src), set()).add(room(t))
    return out


def circles() -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found = []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def render_rooms() -> str:
    """The room table of docs-dev/architecture.md."""
    actual = room_edges()
    lines = ["| room | what it is | may import | imports today |", "|---|---|---|---|"]
    for name, (allowed, what) in ROOMS.items():
        where = f"`guidegen/{name}/`" if (SRC / "guidegen" / name).is_dir() else \
            ("`guidegen/__init__.py`" if name == "guidegen" else f"`guidegen/{name}.py`")
        lines.append(f"| {where} | {what} | {', '.join(sorted(allowed)) or '—'} | "
                     f"{', '.join(sorted(actual.get(name, ()))) or '—'} |")
    return "\n".join(lines) + "\n"


BEGIN, END = "<!-- rooms: generated by tests/test_imports.py -->\n", "<!-- /rooms -->\n"


def write_architecture() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    ARCHITECTURE.write_text(head + BEGIN + render_rooms() + END + tail, encoding="utf-8")


# ------------------------------------------------------------------ tests

def test_every_module_is_in_a_room():
    assert {room(m) for m in modules()} <= set(ROOMS), {room(m) for m in modules()} - set(ROOMS)


def test_no_import_circle():
    assert circles() == [], f"import circles: {circles()}"


def test_rooms_import_only_the_rooms_below():
    wrong = []
    for src, targets in graph().items():
        allowed = ROOMS[room(src)][0] | {room(src)}
        wrong += [f"{src} imports {t}" for t in sorted(targets) if room(t) not in allowed]
    assert not wrong, "\n".join(wrong)


def test_core_imports_the_standard_library_only():
    wrong = [f"{src}:{line} imports {target}" for src, target, line, how in imports()
             if room(src) == "core" and how != "from-name" and not target.startswith("guidegen.core")
             and target.split(".")[0] not in CORE_STDLIB]
    assert not wrong, "\n".join(wrong)


def test_outside_core_only_the_public_init_of_core_is_used():
    wrong = [f"{src}:{line} imports {target}" for src, target, line, how in imports()
             if room(src) != "core" and how != "from-name" and target.startswith("guidegen.core.")]
    assert not wrong, "\n".join(wrong)


def test_architecture_shows_the_rooms_as_they_are():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert BEGIN in text and END in text, f"{ARCHITECTURE} has no generated room table"
    shown = text.split(BEGIN, 1)[1].split(END, 1)[0]
    assert shown == render_rooms(), "docs-dev/architecture.md is stale: run `python tests/test_imports.py`"


if __name__ == "__main__":
    write_architecture()
    print(f"wrote the room table of {ARCHITECTURE}")
