"""Run every benchmark once and write bench/results.json (rendered as the site's Performance page).

    python3 bench/run.py            # all
    python3 bench/run.py site       # only the site-build figures
    python3 bench/run.py calculator # only the calculator figures (prints the issue's table and the trace)
    python3 bench/run.py calculator --stress 2   # the same under load: 2 busy processes during the rounds

Figures are ratios and percentiles taken within one run, never assertions; a
missed goal says by how much in its note. Nothing here runs in `make test`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "results.json"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unavailable"


def machine() -> dict:
    import mkdocs
    from importlib.metadata import version
    pyodide = json.loads((ROOT.parent / "node_modules" / "pyodide" / "package.json").read_text())["version"] \
        if (ROOT.parent / "node_modules" / "pyodide" / "package.json").exists() else "not installed"
    return {
        "cores": os.cpu_count(), "cpu": _cpu_model(), "os": platform.platform(),
        "python": platform.python_version(), "mkdocs": mkdocs.__version__,
        "mkdocs-material": version("mkdocs-material"), "pyodide": pyodide,
        "chromium": _version(["/usr/bin/chromium", "--version"]), "node": _version(["node", "--version"]),
    }


GROUP_TITLES = {
    "calculator": {"zh": "自评计算器", "en": "Calculator"},
    "site_build": {"zh": "站点构建", "en": "Site build"},
}


def main(argv: list[str]) -> int:
    stress = 0
    if "--stress" in argv:  # --stress N: the calculator's timing rounds under N busy processes
        i = argv.index("--stress")
        stress = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    wanted = set(argv) or {"site", "calculator"}
    previous = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}
    groups = {g["id"]: g for g in previous.get("groups", [])}
    if "calculator" in wanted:
        import calculator
        out = calculator.run(ROOT / "out", stress=stress)
        # The table is kept per load (quiet machine, under load): a run replaces the
        # table of its own load only, so both stay on the Performance page.
        kept = [t for t in (groups.get("calculator") or {}).get("tables", [])
                if t.get("load") and t["load"] != out["load"]["class"]]
        out["tables"] = [out["tables"][0], *kept, *out["tables"][1:]]
        groups["calculator"] = {"id": "calculator", "title": GROUP_TITLES["calculator"], **out}
        for table in out["tables"]:
            print(calculator.markdown(table) + "\n")
    if "site" in wanted:
        import site_build
        out = site_build.run()["site_build"]
        groups["site_build"] = {"id": "site_build", "title": GROUP_TITLES["site_build"], **out}
    results = {"generated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "machine": machine(), "groups": [groups[k] for k in ("calculator", "site_build") if k in groups]}
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for g in results["groups"]:
        for f in g["figures"]:
            name = f["name"]["en"] if isinstance(f["name"], dict) else f["name"]
            print(f"{g['id']:<11} {name:<55} {f['value']} {f.get('unit') or ''}  goal={f.get('goal')} met={f.get('met')}")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
