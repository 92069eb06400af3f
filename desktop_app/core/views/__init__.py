"""Read models: what the screens and the commands show, as typed data built from the cache.

Qt-free. The GUI only formats and lays these out; the CLI writes the same rows.
"""
