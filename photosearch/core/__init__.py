"""The headless core: the photo library (catalog, vector index, indexer, search, watcher) without any Qt."""
