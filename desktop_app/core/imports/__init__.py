"""Statement import: OFX/QFX, camt.05x, MT940, QIF and CSV files into the cache, without duplicates.

Readers (one module per format) turn a file into ``records.Statement`` objects; the
``importer.Importer`` puts them into an account in one database transaction, with the keys
and rules of ``dedupe``. Qt-free, like the rest of the core. Nothing is imported here, so the
sync engine can use ``dedupe`` without loading the readers (the GUI's start-up stays lean).
"""
