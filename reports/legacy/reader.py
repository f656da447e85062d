"""From a legacy file's bytes to numbered rows of text cells.

Excel's exports come as "Text (Tab delimited)" (Windows-1252, CRLF), "Unicode
Text" (UTF-16 with a byte-order mark), UTF-8 with or without a BOM, or the
original .xlsx workbook. Anything else is refused with a clear message.
"""

import codecs
import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .errors import LegacyFileError

# Header cell -> column role. Checked in order; the first prefix that matches wins.
HEADER_ROLES = [
    ("valtuustokauden tavoite", "goal"),
    ("vuositavoite", "annual_goal"),
    ("toimenpide", "action"),
    ("merkittävimmät", "risks"),
    ("riski", "risks"),
    ("kokonais", "overall_status"),
    ("julkaistava etenemisaste", "level"),
    ("etenemisaste", "level"),
    ("julkaistava teksti", "status_text"),
    ("teksti", "status_text"),
    ("eteneminen", "status_text"),
    ("vastuuhenkilö", "responsible"),
]
HIERARCHY_ROLES = ("goal", "annual_goal", "action")

# Windows-1252 leaves these bytes undefined; a file that has them is in some other encoding.
CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
# Excel's own limit for one cell; a longer "cell" is a quote that was never closed.
EXCEL_CELL_LIMIT = 32767


@dataclass
class Row:
    line: int
    cells: list[str]
    # Columns whose workbook cell held a number or a date, not text: a code typed so
    # (01.10 as 1.1) cannot be told apart from another.
    numeric: frozenset[int] = frozenset()

    @property
    def is_blank(self):
        return not any(self.cells)


@dataclass
class Table:
    filename: str
    header_line: int
    columns: dict[str, int]  # role -> column index
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # headers of unread columns

    def cell(self, row, role):
        index = self.columns.get(role)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index]


def read_table(content, filename):
    """Read a legacy export into a Table: its header and every row after it."""
    rows = _read_rows(content, filename)
    for position, row in enumerate(rows):
        columns, ignored = _header_columns(row.cells)
        if columns is None:
            continue
        table = Table(
            filename=filename,
            header_line=row.line,
            columns=columns,
            header=row.cells,
            rows=rows[position + 1 :],
            ignored_columns=ignored,
        )
        if all(data_row.is_blank for data_row in table.rows):
            raise LegacyFileError(
                filename, _("the file has a header row but no rows after it"), line=row.line
            )
        return table
    raise LegacyFileError(filename, _no_header_message(rows))


def _no_header_message(rows):
    first_rows = rows[:40]
    if not any(any(row.cells) for row in first_rows):
        return _("the file has no content")
    for separator, message in (
        (
            ";",
            _(
                "the file looks semicolon-separated; save it from Excel as "
                "“Text (Tab delimited)” or as .xlsx"
            ),
        ),
        (
            ",",
            _(
                "the file looks comma-separated; save it from Excel as "
                "“Text (Tab delimited)” or as .xlsx"
            ),
        ),
    ):
        if any(
            len(row.cells) == 1
            and "valtuustokauden" in row.cells[0].casefold()
            and row.cells[0].count(separator) >= 2
            for row in first_rows
        ):
            return message
    return _(
        "no header row found: expected a row with the columns "
        "“Valtuustokauden tavoite”, “Vuositavoite” and “Toimenpide”"
    )


def _header_columns(cells):
    """The column of each role in a header row, and the headers of columns not read.

    None if the row is no header row.
    """
    names = [re.sub(r"\s+", " ", cell).strip().casefold() for cell in cells]
    columns, ignored, empty = {}, [], []
    for index, name in enumerate(names):
        if not name:
            empty.append(index)
            continue
        role = next((role for prefix, role in HEADER_ROLES if name.startswith(prefix)), None)
        if role and role not in columns:
            columns[role] = index
        else:
            ignored.append(cells[index].strip())
    if not all(role in columns for role in HIERARCHY_ROLES):
        return None, []
    if "status_text" not in columns and "level" in columns:
        # 002-style exports leave the text column's header empty.
        after_level = [index for index in empty if index > columns["level"]]
        if after_level:
            columns["status_text"] = after_level[0]
    if "level" not in columns and "status_text" not in columns:
        return None, []
    return columns, ignored


def _read_rows(content, filename):
    if not content or not content.strip():
        raise LegacyFileError(filename, _("the file is empty"))
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, filename)
    text = _decode(content, filename)
    if "\x00" in text:
        raise LegacyFileError(
            filename,
            _("the file contains NUL characters: it is not a text export"),
            line=text.count("\n", 0, text.index("\x00")) + 1,
        )
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel-tab", strict=False)
    rows = []
    line = 1
    try:
        for cells in reader:
            row = Row(line=line, cells=[_clean(cell) for cell in cells])
            _check_quotes(row, filename)
            rows.append(row)
            line = reader.line_num + 1
    except csv.Error as error:
        raise LegacyFileError(filename, str(error), line=line) from error
    return rows


def _check_quotes(row, filename):
    """Refuse a row whose quoted cell swallowed the rows after it."""
    for cell in row.cells:
        swallowed = len(cell) > EXCEL_CELL_LIMIT or any(
            line.count("\t") >= 2 for line in cell.split("\n")[1:]
        )
        if swallowed:
            raise LegacyFileError(
                filename,
                _(
                    'a quoted cell that starts on this line never ends: the quote mark (") '
                    "that opens it has no closing quote mark, so the rows after it would be "
                    "lost"
                ),
                line=row.line,
            )


def _decode(content, filename):
    if content.startswith(codecs.BOM_UTF8):
        return _decode_as(content[len(codecs.BOM_UTF8) :], "utf-8", filename)
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(content, "utf-16", filename)
    if b"\x00" in content:
        raise LegacyFileError(
            filename,
            _(
                "this is not a text export: it contains binary data "
                "(or UTF-16 without a byte-order mark)"
            ),
        )
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    undefined = CP1252_UNDEFINED.search(content)
    if undefined:
        raise LegacyFileError(
            filename,
            _("unknown text encoding: byte 0x%(byte)02X is not UTF-8 or Windows-1252")
            % {"byte": content[undefined.start()]},
            line=content.count(b"\n", 0, undefined.start()) + 1,
        )
    text = content.decode("cp1252")
    if ("Š" in text or "š" in text) and not any(letter in text for letter in "äöÄÖ"):
        # Mac Roman's ä and ö are Windows-1252's Š and š: Finnish text without a single
        # ä or ö but with those is in another encoding, and would import garbled.
        raise LegacyFileError(
            filename,
            _(
                "unknown text encoding (perhaps Mac Roman): save the file as UTF-8, "
                "“Unicode Text” or .xlsx"
            ),
        )
    return text


def _decode_as(content, encoding, filename):
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as error:
        raise LegacyFileError(
            filename,
            _("the file is not valid %(encoding)s at byte %(position)s")
            % {"encoding": encoding.upper(), "position": error.start},
        ) from error


def _read_xlsx(content, filename):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        if not workbook.worksheets:
            raise LegacyFileError(filename, _("the workbook has no worksheet"))
        sheet = workbook.worksheets[0]
        # A workbook may record a stale size for its sheet; read what is really there.
        sheet.reset_dimensions()
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append(
                Row(
                    line=number,
                    cells=[_clean(_xlsx_text(value)) for value in values],
                    numeric=frozenset(
                        index
                        for index, value in enumerate(values)
                        if isinstance(value, (int, float, datetime.date, datetime.time))
                    ),
                )
            )
        workbook.close()
    except LegacyFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged workbook
        raise LegacyFileError(
            filename, _("this is a ZIP file but not a readable .xlsx workbook")
        ) from error
    # Excel's sheets report trailing formatted-but-empty rows; they carry nothing.
    while rows and rows[-1].is_blank:
        rows.pop()
    return rows


def _xlsx_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean(cell):
    """Trim a cell and normalise the line breaks inside it."""
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()
