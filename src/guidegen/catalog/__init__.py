"""Catalog loading, validation and compiling to the JSON bundle."""

from .loader import BUNDLE_FORMAT, Catalog, CatalogError, compile_bundle, load_catalog
from .schema import Problem

__all__ = ["BUNDLE_FORMAT", "Catalog", "CatalogError", "Problem", "compile_bundle", "load_catalog"]
