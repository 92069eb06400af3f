"""Statement import: OFX/QFX, camt.05x, MT940, QIF and CSV files into the cache, without duplicates.

Readers (one module per format) turn a file into ``Statement`` records; ``Importer`` puts
them into an account in one database transaction. Qt-free, like the rest of the core.
"""

from desktop_app.core.imports.csvfile import PRESETS, CsvMapping
from desktop_app.core.imports.importer import AccountResult, ImportCancelled, Importer, ImportResult, Target
from desktop_app.core.imports.reader import ParsedFile, ReadOptions, read_bytes, read_file
from desktop_app.core.imports.records import Statement, StatementError, UnsupportedStatement

__all__ = [
    "PRESETS",
    "AccountResult",
    "CsvMapping",
    "ImportCancelled",
    "ImportResult",
    "Importer",
    "ParsedFile",
    "ReadOptions",
    "Statement",
    "StatementError",
    "Target",
    "UnsupportedStatement",
    "read_bytes",
    "read_file",
]
