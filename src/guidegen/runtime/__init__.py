"""The browser runtimes of the calculator and the bureau desk, in one room.

What runs in the browser and how it is packed: Pyodide's files as shipped (the pinned
npm package, the standard library trimmed to a measured list, the lock file left out),
the browser wheel (only ``guidegen.core``, ``desk.py``, ``profile_file.py``), the bundle
whole and in parts, the desk's extra wheels, and ``write_runtime`` that writes them all
under content hashes with worker.js (into which the Pyodide file list is written once).

The site (``guidegen.site``) builds pages and calls ``write_runtime``; this room never
imports the site. ``guidegen calculator OUT_DIR`` writes the same files.
"""

from .bundle import BUNDLE_PARTS, bundle_bytes, bundle_parts, export_text, join_parts, part_order, place_index
from .build import HASH_LEN, hashed_name, replace_marker, write_file, write_runtime
from .deskfiles import DESK_DISTRIBUTIONS, DESK_STDLIB, DeskBuildError, desk_runtime, read_desk_stdlib, repack_wheel
from .pyodide import (
    PYODIDE_FILES, PYODIDE_SHIPPED, STDLIB_KEEP, RuntimeBuildError, empty_lock, pyodide_dist, pyodide_runtime,
    read_measured_list, read_stdlib_keep, trim_stdlib, write_pyodide_runtime,
)
from .wheel import BROWSER_MODULES, browser_sources, build_wheel, wheel_bytes

__all__ = [
    "BROWSER_MODULES", "BUNDLE_PARTS", "DESK_DISTRIBUTIONS", "DESK_STDLIB", "DeskBuildError", "HASH_LEN",
    "PYODIDE_FILES", "PYODIDE_SHIPPED", "STDLIB_KEEP", "RuntimeBuildError", "browser_sources", "build_wheel",
    "bundle_bytes", "bundle_parts", "desk_runtime", "empty_lock", "export_text", "hashed_name", "join_parts",
    "part_order", "place_index", "pyodide_dist", "pyodide_runtime", "read_desk_stdlib", "read_measured_list",
    "read_stdlib_keep", "repack_wheel", "replace_marker", "trim_stdlib", "wheel_bytes", "write_file",
    "write_pyodide_runtime", "write_runtime",
]
