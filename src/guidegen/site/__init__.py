"""Site generation: markdown pages from the catalog (engine-independent) and the MkDocs adapter."""
