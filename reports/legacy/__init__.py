"""Reading the municipality's legacy progress spreadsheets.

Three steps, each testable alone: `reader` turns a file's bytes into numbered
rows of cells, `rows` understands what each row says, and `importer` writes it
to the database in one transaction.
"""

from .errors import LegacyFileError  # noqa: F401
