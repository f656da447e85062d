"""From a legacy file's bytes to numbered rows of text cells.

Excel's exports come as "Text (Tab delimited)" (Windows-1252, CRLF), "Unicode
Text" (UTF-16 with a byte-order mark), UTF-8 with or without a BOM, or the
original .xlsx workbook. Anything else is refused with a clear message.
"""

import codecs
import csv
import io
import re
import zipfile
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


@dataclass
class Row:
    line: int
    cells: list[str]

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

    def cell(self, row, role):
        index = self.columns.get(role)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index]


def read_table(content, filename):
    """Read a legacy export into a Table: its header and every row after it."""
    rows = _read_rows(content, filename)
    for position, row in enumerate(rows):
        columns = _header_columns(row.cells)
        if columns is not None:
            return Table(
                filename=filename,
                header_line=row.line,
                columns=columns,
                header=row.cells,
                rows=rows[position + 1 :],
            )
    raise LegacyFileError(filename, _no_header_message(rows))


def _no_header_message(rows):
    sample = " ".join(cell for row in rows[:40] for cell in row.cells)
    if any(len(row.cells) == 1 and row.cells[0].count(",") >= 3 for row in rows[:40]):
        return _(
            "the file looks comma-separated; save it from Excel as "
            "“Text (Tab delimited)” or as .xlsx"
        )
    if not sample.strip():
        return _("the file has no content")
    return _(
        "no header row found: expected a row with the columns "
        "“Valtuustokauden tavoite”, “Vuositavoite” and “Toimenpide”"
    )


def _header_columns(cells):
    columns = {}
    for index, cell in enumerate(cells):
        name = re.sub(r"\s+", " ", cell).strip().casefold()
        role = next((role for prefix, role in HEADER_ROLES if name.startswith(prefix)), None)
        if role is None and not name and "level" in columns:
            role = "status_text"  # 002-style exports leave the text column's header empty
        if role and role not in columns:
            columns[role] = index
    if not all(role in columns for role in HIERARCHY_ROLES):
        return None
    if "level" not in columns and "status_text" not in columns:
        return None
    return columns


def _read_rows(content, filename):
    if not content or not content.strip():
        raise LegacyFileError(filename, _("the file is empty"))
    if content.startswith(b"PK\x03\x04"):
        return _read_xlsx(content, filename)
    text = _decode(content, filename)
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel-tab", strict=False)
    rows = []
    line = 1
    try:
        for cells in reader:
            rows.append(Row(line=line, cells=[_clean(cell) for cell in cells]))
            line = reader.line_num + 1
    except csv.Error as error:
        raise LegacyFileError(filename, str(error), line=line) from error
    return rows


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
    return content.decode("cp1252")


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
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise LegacyFileError(
            filename, _("this is a ZIP file but not a readable .xlsx workbook")
        ) from error
    sheet = workbook.worksheets[0]
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        rows.append(Row(line=number, cells=[_clean(_xlsx_text(value)) for value in values]))
    workbook.close()
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
