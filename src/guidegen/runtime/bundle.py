"""The compiled bundle as the browser gets it: whole, in parts, and the place index.

``export_text`` is exactly what ``guidegen export`` writes. ``bundle_parts`` cuts it
into parts by top-level key: each part is the export's serializer applied to the
keys of that part, so the union of the parts (``join_parts``: their keys, in the
order ``BUNDLE_PARTS`` lists them) serializes to the export's very bytes — a test
holds it, and another that the engine's first result is the same with the parts as
with the whole bundle. The worker fetches the parts side by side and merges them in
Python (calculator/engine.py); the page reads what it draws from them.

``place_index`` is a compact all-China name index for the place step: one row per
division ``[code, name, short, pinyin, en?]`` (level and parent follow from the
GB/T 2260 code), about half of ``regions`` on the wire, which the picker can search
without the full rows.
"""

from __future__ import annotations

import json

__all__ = ["BUNDLE_PARTS", "bundle_bytes", "bundle_parts", "export_text", "join_parts", "part_order", "place_index"]

# Part name -> top-level keys it holds, in the order the union lists them. The last
# part (None) takes every key not named before: a new catalog key is never lost.
BUNDLE_PARTS = (("regions", ("regions",)), ("forms", ("application_forms",)), ("main", None))


def export_text(bundle: dict) -> str:
    """What ``guidegen export`` writes (src/guidegen/cli.py ``cmd_export``)."""
    return json.dumps(bundle, ensure_ascii=False, indent=None, sort_keys=False)


def bundle_bytes(catalog) -> bytes:
    """The whole bundle as one compact file (a Catalog, or an already compiled dict)."""
    bundle = catalog if isinstance(catalog, dict) else catalog.bundle()
    return json.dumps(bundle, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _groups(bundle: dict) -> list[tuple[str, list[str]]]:
    named = {k for _, keys in BUNDLE_PARTS if keys for k in keys}
    out = []
    for name, keys in BUNDLE_PARTS:
        chosen = [k for k in bundle if (k in keys if keys else k not in named)]
        if chosen:
            out.append((name, chosen))
    return out


def part_order(bundle: dict) -> list[str]:
    """The export's top-level keys in order (the manifest carries it for ``join_parts``)."""
    return list(bundle)


def bundle_parts(bundle: dict) -> list[tuple[str, bytes]]:
    """[(part name, bytes)]: the export's serializer on each part's keys (bundle order)."""
    return [(name, export_text({k: bundle[k] for k in keys}).encode("utf-8")) for name, keys in _groups(bundle)]


def join_parts(parts, order=None) -> dict:
    """The union of the parts (bytes or text): one dict; with ``order`` (the export's
    top-level keys, as the build's manifest lists them) its keys in that order."""
    merged: dict = {}
    for part in parts:
        merged.update(json.loads(part))
    return {k: merged[k] for k in order} if order else merged


def place_index(bundle: dict) -> dict | None:
    """{"source": ..., "rows": [[code, name, short, pinyin, en?]]} or None. ``en`` is left
    out when it is the pinyin capitalised (Liyang for liyang); level and parent follow
    from the GB/T 2260 code (xx0000 province, xxxx00 prefecture, else county)."""
    regions = bundle.get("regions")
    if not regions or not regions.get("items"):
        return None
    rows = []
    for r in regions["items"]:
        row = [r["code"], r["name"], r["short"], r["pinyin"]]
        en = r.get("en") or ""
        if en and en != r["pinyin"][:1].upper() + r["pinyin"][1:]:
            row.append(en)
        rows.append(row)
    return {"source": regions.get("source"), "rows": rows}
