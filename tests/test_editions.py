"""Bureau editions (editions/*.yml): each shows only what it publishes, everywhere.

Each edition is built once per module with its own file (``mkdocs build --strict -f
editions/NAME.yml``, calculator included). Then:

- every built file — pages, the calculator's bundle and scripts, the search index,
  sitemaps, precompressed twins, the wheel's metadata — is scanned for the regions,
  schemes, guides and documents the edition does not publish;
- the pages, the bureau's name/logo/contact/footer on every page, the crosswalk only
  with two or more guides;
- the edition's bundle gives the same results as the full bundle on every worked case;
- both editions are released with deploy/release.sh into one target (first deploy,
  then a redeploy switching `current`), served by nginx with deploy/nginx/guidegen.conf,
  and checked in chromium;
- the worked example of docs-dev/bureau.md: a bureau adds next year's scheme as YAML.
"""

from __future__ import annotations

import gzip
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

from cases import load_cases
from test_calculator_nginx import running_nginx
from test_calculator_support import ROOT, canonical, launch, require_node_modules, wait_for_results
from conftest import site_command, site_env

pytestmark = pytest.mark.slow  # builds the editions

EDITIONS = ROOT / "editions"
# Words for regions outside the edition, besides every unpublished scheme's, guide's and
# document's name, title and id (taken from the catalog).
OTHER_REGIONS = {
    "changzhou": ["株洲", "湖南", "Zhuzhou", "Hunan", "醴陵", "攸县", "重庆", "Chongqing", "渝经信"],
    "zhuzhou": ["常州", "江苏", "Changzhou", "Jiangsu", "溧阳", "金坛"],
}


def _env():
    return dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONWARNINGS="ignore")


def edition_options(name: str) -> dict:
    """The edition file's own plugin options (what it changes over mkdocs.yml)."""
    data = yaml.safe_load((EDITIONS / f"{name}.yml").read_text(encoding="utf-8"))
    assert data["INHERIT"] == "../mkdocs.yml"
    return data["plugins"]["guidegen"]


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Both editions, built once: {name: site folder}."""
    require_node_modules()
    out, procs = {}, {}
    for name in OTHER_REGIONS:  # side by side: each build is mostly one process
        out[name] = tmp_path_factory.mktemp(f"edition-{name}") / "site"
        procs[name] = subprocess.Popen(site_command(out[name], f"editions/{name}.yml"), cwd=ROOT, env=site_env(),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, (stdout + stderr)[-4000:]
        assert "WARNING" not in stderr, stderr[-4000:]
    return out


def forbidden_words(catalog, name: str) -> tuple[list[str], list[str]]:
    """(names and region words, ids) the edition must not contain."""
    from guidegen.site.edition import resolve
    publish = edition_options(name)["publish"]
    e = resolve(catalog.bundle(), schemes=publish["schemes"], guides=publish["guides"])
    words = list(OTHER_REGIONS[name])
    ids = []
    for sid, s in catalog.schemes.items():
        if sid not in e.schemes:
            words += [s["name"]["zh"], s["name"]["en"]]
            ids.append(sid)
    for gid, g in catalog.guides.items():
        if gid not in e.guides:
            words += [g["title"]["zh"], g["title"]["en"]]
            ids.append(gid)
    for doc, src in catalog.sources.items():
        if doc not in e.sources:
            words += [src["title"]["zh"], src["title"]["en"]]
            ids.append(doc)
    return words, ids


def built_texts(site: Path):
    """(name, text) of every built file; .gz twins and zip archives opened. The engine
    wheel's package (guidegen/: modules and their data) is program, not published
    content; its metadata (the description a package index would show) is read."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        rel = path.relative_to(site).as_posix()
        if data[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    # the wheel and its precompressed twin (NAME.whl.gz) alike
                    if not (path.name.endswith((".whl", ".whl.gz")) and member.startswith("guidegen/")):
                        yield f"{rel}!{member}", z.read(member).decode("utf-8", "replace")
            continue
        # Pagefind's index keeps Chinese text split into words by U+200B (guidegen.site.search)
        yield rel, data.decode("utf-8", "replace").replace("\u200b", "")


def _is_program(rel: str) -> bool:
    """Program files (scripts, styles, WebAssembly, the Python runtime), whose comments and
    identifiers are not what a reader sees. The calculator's words (i18n.*.js, built from
    messages.yaml), the bundle, the pages and the search index are all content."""
    name = rel.rsplit("/", 1)[-1].split("!")[0]
    if "/pyodide-" in rel or rel.startswith("calculator/pyodide-"):
        return True
    if name.startswith("i18n."):
        return False
    return name.endswith((".js", ".js.gz", ".mjs", ".mjs.gz", ".css", ".css.gz", ".wasm", ".wasm.gz", ".map"))


# ------------------------------------------------------------------ what an edition shows

@pytest.mark.parametrize("name", list(OTHER_REGIONS))
def test_edition_names_nothing_it_does_not_publish(editions, catalog, name):
    words, ids = forbidden_words(catalog, name)
    any_word = re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True))))
    # ids in content (pages, bundle, search index); the calculator's scripts are program code
    any_id = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ids)) + r")(?![\w-])")
    found = []
    scanned = 0
    for rel, text in built_texts(editions[name]):
        scanned += 1
        if _is_program(rel):
            continue
        for m in any_word.finditer(text):
            found.append(f"{rel}: {m.group(0)} …{text[max(0, m.start() - 40):m.end() + 20]!r}")
        if rel.endswith((".html", ".json", ".xml")) or "search" in rel or "pagefind" in rel:
            for m in any_id.finditer(text):
                found.append(f"{rel}: id {m.group(0)}")
    assert scanned > 50
    assert not found, f"{len(found)} mention(s), e.g.:\n" + "\n".join(found[:15])


def _pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("index.html")}


def test_changzhou_edition_pages(editions):
    pages = _pages(editions["changzhou"])
    schemes = {p.split("/")[1] for p in pages if p.startswith("schemes/") and p.count("/") == 2}
    # one scheme: nothing to compare, so no comparison page and no link to one
    assert schemes == {"changzhou-smart-factory-2023"}
    linked = [p for p in (editions["changzhou"]).rglob("*.html") if "compare/" in p.read_text(encoding="utf-8")]
    assert not linked, linked[:5]
    assert {p for p in pages if p.startswith("guides/")} == {"guides/index.html", "guides/changzhou-2023/index.html"}
    # one guide: no crosswalk; no published rule reads the sector: no sector pages
    assert not any(p.startswith("industries/") for p in pages)
    assert "calculator/index.html" in pages and "en/calculator/index.html" in pages


def test_zhuzhou_edition_pages(editions):
    pages = _pages(editions["zhuzhou"])
    schemes = {p.split("/")[1] for p in pages if p.startswith("schemes/") and p.count("/") == 2}
    assert schemes == {"zhuzhou-benchmark-workshop", "zhuzhou-benchmark-sme", "hunan-advanced-factory-2025",
                       "smart-factory-levels", "compare"}
    # two guides with crosswalk rows between them: the crosswalk page, and the sector pages
    assert {"guides/miit-2021/index.html", "guides/miit-2024/index.html", "guides/crosswalk/index.html"} <= pages
    assert "industries/index.html" in pages and "en/industries/index.html" in pages


@pytest.mark.parametrize("name", list(OTHER_REGIONS))
def test_bureau_on_every_page(editions, name):
    bureau = edition_options(name)["bureau"]
    site = editions[name]
    html_pages = sorted(site.rglob("*.html"))
    assert len(html_pages) > 20
    for page in html_pages:
        text = page.read_text(encoding="utf-8")
        lang = "en" if re.search(r'<html lang="en', text) else "zh"
        where = page.relative_to(site).as_posix()
        assert re.search(r'<img[^>]+src="[^"]*assets/bureau/logo\.svg"', text), f"{where}: no logo"
        for key in ("name", "contact"):
            want = bureau[key][lang] if isinstance(bureau[key], dict) else bureau[key]
            assert want.replace("'", "&#39;") in text or want in text, f"{where}: no {key} {want!r}"
        assert bureau["footer"] in text, f"{where}: no footer line"
    assert (site / "assets" / "bureau" / "logo.svg").read_bytes() == (EDITIONS / bureau["logo"]).read_bytes()


# ------------------------------------------------------------------ the calculator's bundle

def _restrict(profile: dict, bundle: dict) -> dict:
    """A profile cut to the questions a bundle asks (what the edition's form can hold).

    An edition knows the places of the provinces its schemes name: a place elsewhere is
    "no such place" there (with suggestions from those provinces), where the full bundle
    says "another prefecture". Such a place is left out, so both read "not given"."""
    from guidegen.core.places import resolve_place
    fields = {f["path"] for s in bundle["profile"]["sections"] for f in s["fields"]}
    place = {f"enterprise.{k}": v for k, v in (profile.get("enterprise") or {}).items()
             if k in ("province", "city", "county", "region_code")}
    if place and resolve_place(bundle, place)[1]:
        profile = {**profile, "enterprise": {k: v for k, v in profile["enterprise"].items()
                                             if f"enterprise.{k}" not in place}}
    # The credit code is a place field too (characters 3–8 are the registering authority's
    # division): a division the edition does not know is left out the same way.
    credit = (profile.get("enterprise") or {}).get("credit_code")
    if isinstance(credit, str) and len(credit.strip()) == 18 and \
            resolve_place(bundle, {"enterprise.region_code": credit.strip()[2:8]})[1]:
        profile = {**profile, "enterprise": {k: v for k, v in profile["enterprise"].items() if k != "credit_code"}}
    out = {}
    for key, value in profile.items():
        if key == "scenes" and isinstance(value, dict):
            out[key] = {g: v for g, v in value.items() if g in bundle["guides"]}
        elif key == "declarations" and isinstance(value, dict):
            out[key] = {d: v for d, v in value.items() if d in bundle["declarations"]}
        elif key == "profile" or key in fields:
            out[key] = value
        elif isinstance(value, dict):
            sub = {k: v for k, v in value.items() if f"{key}.{k}" in fields}
            if sub:
                out[key] = sub
    return out


@pytest.mark.parametrize("name", list(OTHER_REGIONS))
def test_edition_bundle_asks_and_scores_only_its_schemes(bundle, name):
    from guidegen.core import evaluate
    from guidegen.site.edition import edition_bundle, resolve
    publish = edition_options(name)["publish"]
    e = resolve(bundle, schemes=publish["schemes"], guides=publish["guides"])
    small = json.loads(json.dumps(edition_bundle(bundle, e), ensure_ascii=False))
    assert list(small["schemes"]) == [s for s in bundle["schemes"] if s in publish["schemes"]]
    assert set(small["guides"]) == set(e.guides) and set(small["sources"]) == set(e.sources)
    compared = 0
    for case in load_cases():
        if "errors" in case["expected"]:
            continue
        profile = _restrict(case["profile"], small)
        full = evaluate(bundle, profile, schemes=list(e.schemes))
        mine = evaluate(small, profile)
        assert "results" in mine, (case["_where"], mine.get("errors"))
        assert canonical(mine["results"]) == canonical(full["results"]), case["_where"]
        assert canonical(mine["derived"]) == canonical(full["derived"]), case["_where"]
        compared += 1
    assert compared > 100


def test_changzhou_bundle_questions(bundle):
    from guidegen.site.edition import edition_bundle, resolve
    e = resolve(bundle, schemes=["changzhou-smart-factory-2023"], guides=["changzhou-2023"])
    small = edition_bundle(bundle, e)
    assert all(d.startswith("changzhou-") for d in small["declarations"])
    assert set(small["guides"]) == {"changzhou-2023"} and small["crosswalk"] == []
    assert small["sectors"] == {} and small["divisions"] == {}
    asked = {f["path"] for s in small["profile"]["sections"] for f in s["fields"]}
    assert "enterprise.name" in asked and "support_elements" in asked and "changzhou.free_diagnosis" in asked
    assert not any(p.startswith(("honors.", "achievements.", "investment_wan.")) for p in asked)


def test_unknown_id_names_the_known_ones(bundle):
    from guidegen.site.edition import EditionError, resolve
    with pytest.raises(EditionError, match="changzhou-smart-factory-2023"):
        resolve(bundle, schemes=["changzhou-2099"])


# ------------------------------------------------------------------ release and nginx, in chromium

def _release(*args) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(ROOT / "deploy" / "release.sh"), *map(str, args)],
                          capture_output=True, text=True, timeout=600, check=False)


def _get(server, path):
    conn = http.client.HTTPConnection(server["host"], server["port"], timeout=30)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp, body


def _check_in_browser(browser, origin, *, name, schemes):
    """Home and calculator of the edition served at ``origin``: bureau name, no CSP
    violation, no failed request, the calculator scores exactly the published schemes."""
    bureau = edition_options(name)["bureau"]
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
    page.goto(origin + "/")
    page.wait_for_load_state("networkidle")
    assert bureau["name"]["zh"] in page.title()
    assert bureau["footer"] in page.inner_text("footer")
    page.goto(origin + "/en/calculator/")
    wait_for_results(page)
    shown = page.eval_on_selector_all("#gg-results .gg-scheme", "els => els.map(e => e.id)")
    assert sorted(x.removeprefix("gg-res-") for x in shown) == sorted(schemes)
    assert bureau["name"]["en"] in page.inner_text("header")
    assert bureau["footer"] in page.inner_text("footer")
    # the printout carries the bureau too (header and footer are not printed)
    page.emulate_media(media="print")
    printed = page.locator(".gg-printbureau")
    assert printed.is_visible() and bureau["footer"] in printed.inner_text()
    context.close()
    assert problems == []


@pytest.mark.nginx
@pytest.mark.browser
def test_release_first_deploy_redeploy_and_nginx(editions, tmp_path):
    from playwright.sync_api import sync_playwright
    target = tmp_path / "srv"
    # first deploy: the target does not exist yet
    first = _release("--from", editions["changzhou"], "--id", "20260101T000000Z-a", target)
    assert first.returncode == 0, first.stderr
    assert os.readlink(target / "current") == "releases/20260101T000000Z-a"
    with running_nginx(target / "current", tmp_path / "nginx") as server, sync_playwright() as pw:
        resp, body = _get(server, "/calculator/")
        assert resp.status == 200 and "常州" in body.decode()
        assert "'wasm-unsafe-eval'" in resp.getheader("Content-Security-Policy")
        # the bureau desk gets the policy its page's <meta> states (no 'unsafe-inline'), in both languages
        for desk in ("/desk/", "/en/desk/"):
            resp, body = _get(server, desk)
            meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', body.decode()).group(1)
            header = resp.getheader("Content-Security-Policy")
            assert resp.status == 200 and "unsafe-inline" not in header, (desk, header)
            assert header == meta + "; frame-ancestors 'self'", (desk, header, meta)
        assert resp.getheader("X-Content-Type-Options") == "nosniff"
        assert resp.getheader("Referrer-Policy") == "no-referrer"
        browser = launch(pw)
        _check_in_browser(browser, server["origin"], name="changzhou",
                          schemes=edition_options("changzhou")["publish"]["schemes"])
        # a release that fails (not a built site) switches nothing and leaves nothing behind
        broken = tmp_path / "broken"
        broken.mkdir()
        failed = _release("--from", broken, "--id", "20260102T000000Z-x", target)
        assert failed.returncode != 0
        assert os.readlink(target / "current") == "releases/20260101T000000Z-a"
        assert sorted(p.name for p in (target / "releases").iterdir()) == ["20260101T000000Z-a"]
        # redeploy: a new folder, `current` switched in one rename, the old release kept
        again = _release("--from", editions["zhuzhou"], "--id", "20260103T000000Z-b", target)
        assert again.returncode == 0, again.stderr
        assert os.readlink(target / "current") == "releases/20260103T000000Z-b"
        assert (target / "releases" / "20260101T000000Z-a" / "index.html").is_file()
        assert not (target / "current" / "site").exists()
        resp, body = _get(server, "/")
        assert "株洲" in body.decode() and "常州" not in body.decode()
        _check_in_browser(browser, server["origin"], name="zhuzhou",
                          schemes=edition_options("zhuzhou")["publish"]["schemes"])
        browser.close()
    # pruning keeps the newest N, never the current one
    third = _release("--from", editions["zhuzhou"], "--id", "20260104T000000Z-c", "--keep", "1", target)
    assert third.returncode == 0, third.stderr
    assert sorted(p.name for p in (target / "releases").iterdir()) == ["20260104T000000Z-c"]


def _commented_commands(name: str) -> dict[str, list[str]]:
    """The commands an edition's header comment tells a bureau to run, by program."""
    found = {}
    for line in (EDITIONS / f"{name}.yml").read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s+((?:deploy/release\.sh|guidegen site)\b[^#]*)", line)
        if m:
            words = m.group(1).split()
            found["release" if words[0] == "deploy/release.sh" else "site"] = words
    return found


@pytest.mark.parametrize("name", list(OTHER_REGIONS))
def test_the_release_command_in_an_editions_comment_works_as_written(name, tmp_path):
    """`deploy/release.sh -f editions/NAME.yml /srv/guidegen`, with /srv/guidegen a scratch
    folder: builds the edition and switches `current` to it."""
    commands = _commented_commands(name)
    assert set(commands) == {"release", "site"}, commands
    words = commands["release"]
    assert words[-1] == "/srv/guidegen"
    target = tmp_path / "srv"
    proc = subprocess.run(["bash", str(ROOT / words[0]), *words[1:-1], str(target)], cwd=ROOT,
                          env=dict(os.environ, PYTHON=sys.executable),  # this test run's environment
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    home = (target / "current" / "index.html").read_text(encoding="utf-8")
    assert edition_options(name)["bureau"]["name"]["zh"] in home


def test_two_releases_in_the_same_second_both_land(tmp_path):
    """Default release ids are the UTC second and the commit: a second release of the same
    second (RELEASE_TIME fixes it here) gets -2, not an error; concurrent ones too."""
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>", encoding="utf-8")
    (site / "en" / "index.html").write_text("<html></html>", encoding="utf-8")
    target = tmp_path / "srv"
    env = dict(os.environ, RELEASE_TIME="20260101T000000Z")
    procs = [subprocess.Popen(["bash", str(ROOT / "deploy" / "release.sh"), "--from", str(site), str(target)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    releases = sorted(p.name for p in (target / "releases").iterdir())
    assert len(releases) == 3 and len(set(releases)) == 3
    first = releases[0]
    assert first.startswith("20260101T000000Z-") and releases[1:] == [f"{first}-2", f"{first}-3"]
    assert os.readlink(target / "current") in {f"releases/{r}" for r in releases}
    # nothing half-made is left behind
    assert not [p for p in (target / "releases").iterdir() if p.name.startswith(".")]
    assert not [p for p in target.iterdir() if p.name.startswith(".current.new")]
    # an id given with --id is never reused
    again = subprocess.run(["bash", str(ROOT / "deploy" / "release.sh"), "--from", str(site), "--id", first,
                            str(target)], capture_output=True, text=True, timeout=120)
    assert again.returncode != 0 and "exists already" in again.stderr


# ------------------------------------------------------------------ docs-dev/bureau.md worked example

def test_bureau_adds_next_years_scheme_as_yaml(tmp_path):
    """docs-dev/bureau.md, "Adding a scheme": copy the 2023 Changzhou scheme, change the
    year, the deadlines and a threshold, validate, build — no Python change."""
    catalogs = tmp_path / "catalogs"
    shutil.copytree(ROOT / "catalogs", catalogs)
    old = (catalogs / "schemes" / "changzhou-smart-factory-2023.yaml").read_text(encoding="utf-8")
    # 1. the scheme only (the declarations, questions and KPI list above it stay shared)
    text = old[old.index("\nscheme:") + 1:]
    # 2. new id, name and year; every 2023 date and the deadline one year on
    text = text.replace("id: changzhou-smart-factory-2023", "id: changzhou-smart-factory-2024", 1)
    text = re.sub(r"(?m)^(  year:) 2023$", r"\1 2024", text)
    text = text.replace("常州市级智能工厂（2023年）", "常州市级智能工厂（2024年）", 1)
    text = text.replace("smart factory (市级智能工厂), 2023\"", "smart factory (市级智能工厂), 2024\"", 1)
    text = re.sub(r'(deadline: "?)2023-', r"\g<1>2024-", text)
    # 3. a threshold: at least 15 scenes instead of 12
    assert "rule: {compare: coverage.changzhou-2023.scenes, op: \">=\", value: 12}" in text
    text = text.replace("rule: {compare: coverage.changzhou-2023.scenes, op: \">=\", value: 12}",
                        "rule: {compare: coverage.changzhou-2023.scenes, op: \">=\", value: 15}")
    text = text.replace("满足39个应用场景中的至少12个", "满足39个应用场景中的至少15个", 1)
    text = text.replace("Meets at least 12 of the 39 application scenes", "Meets at least 15 of the 39 application scenes", 1)
    (catalogs / "schemes" / "changzhou-smart-factory-2024.yaml").write_text(text, encoding="utf-8")
    # 4. the application questions and the 申报书 of the 2023 scheme serve the 2024 one too
    for path in [catalogs / "profile.yaml", catalogs / "forms" / "changzhou-smart-factory-2023.yaml"]:
        shared = path.read_text(encoding="utf-8")
        shared, n = re.subn(r"(?m)^(\s*schemes: \[.*)\bchangzhou-smart-factory-2023\b",
                            r"\g<1>changzhou-smart-factory-2023, changzhou-smart-factory-2024", shared)
        assert n >= 1, path
        path.write_text(shared, encoding="utf-8")
    # 5. validate
    check = subprocess.run([sys.executable, "-m", "guidegen.cli", "validate", str(catalogs)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    # 6. an edition publishing it, built (the calculator's runtime is the same as always; left out here)
    edition = tmp_path / "changzhou-2024.yml"
    edition.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: {ROOT / 'docs'}\n"
                       "plugins:\n  guidegen:\n"
                       f"    catalog: {catalogs}\n"
                       "    publish: {schemes: [changzhou-smart-factory-2024], guides: [changzhou-2023], calculator: false}\n",
                       encoding="utf-8")
    site = tmp_path / "site"
    proc = subprocess.run(site_command(site, edition),
                          cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    page = (site / "schemes" / "changzhou-smart-factory-2024" / "index.html").read_text(encoding="utf-8")
    assert "2024" in page and "≥ 15" in page
    assert not (site / "schemes" / "changzhou-smart-factory-2023").exists()
    # the engine reads the new threshold: 13 scenes pass 2023's condition, not 2024's
    from guidegen.catalog import load_catalog
    from guidegen.core import evaluate
    bundle = load_catalog(catalogs).bundle()
    result = evaluate(bundle, {"scenes": {"changzhou-2023": list(range(1, 14))}},
                      schemes=["changzhou-smart-factory-2023", "changzhou-smart-factory-2024"])
    statuses = {r["scheme"]: next(c["status"] for c in r["conditions"] if c["id"] == "scenes-coverage")
                for r in result["results"]}
    assert statuses == {"changzhou-smart-factory-2023": "pass", "changzhou-smart-factory-2024": "fail"}, statuses
