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
import zipfile
from dataclasses import dataclass, field

from django.template.defaultfilters import filesizeformat
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
# The rows before a header that tell why none was found (a comma-separated file, …).
NO_HEADER_HINT_ROWS = 40
# How an Excel 97–2003 .xls (an OLE2 compound file) and an OpenDocument .ods begin.
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# An .ods cell's value types that are no text: a code typed so (01.10 as 1.1) is lost.
ODS_NUMERIC = ("float", "percentage", "currency", "date", "time")
# The delimiters a text export may have, tried in this order on its header row: tab
# ("Text (Tab delimited)"), semicolon (Excel's CSV where the list separator is ";", as in
# Finland), comma (Excel's CSV elsewhere).
DELIMITERS = ("\t", ";", ",")
# How a row of the export starts: a council-term goal's code such as "01." or "01.05".
ROW_START = re.compile(r"\s*\d{1,2}\.\d{0,2}")
# Excel's own limit for one cell; a longer "cell" is a quote that was never closed.
EXCEL_CELL_LIMIT = 32767

# Upload limits. Tuusula's exports are tens of kilobytes, under a hundred rows and under ten
# columns; a municipality forty times its size reports some 2,400 rows a period, and a
# whole strategy's history in one file may reach 10,000 (bench/import_at_scale.py). A file
# far beyond that is the wrong file (or a crafted one), refused whole before it costs the
# server minutes or gigabytes.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000  # rows after the header row, up to the last one with content
MAX_CELLS_PER_ROW = 50  # cells of one row, up to its last non-empty one
# An .xlsx is a ZIP archive whose members can inflate a thousandfold: its members' sizes
# are read from the archive's directory before openpyxl inflates anything, and Python's
# zipfile never inflates a member beyond the size the directory states.
MAX_XLSX_UNPACKED_BYTES = 50 * 1024 * 1024


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
class Reading:
    """How a file was read, for the import summary: an official sees at a glance that it
    was read right."""

    format: str = "text"  # "text" (tab- or otherwise delimited), "xlsx", "xls" or "ods"
    encoding: str = ""  # of a text file: "UTF-8", "UTF-8 with BOM", "UTF-16", "Windows-1252"
    delimiter: str = ""  # of a text file: "\t", ";" or ","
    sheet: str = ""  # of a workbook

    def describe(self):
        """In words, e.g. “semicolon-separated text, Windows-1252”."""
        workbooks = {
            "xlsx": _("Excel workbook (.xlsx), sheet “%(sheet)s”"),
            "xls": _("Excel 97–2003 workbook (.xls), sheet “%(sheet)s”"),
            "ods": _("OpenDocument spreadsheet (.ods), sheet “%(sheet)s”"),
        }
        if self.format in workbooks:
            return workbooks[self.format] % {"sheet": self.sheet}
        kind = {
            "\t": _("tab-separated text"),
            ";": _("semicolon-separated text"),
            ",": _("comma-separated text"),
        }[self.delimiter]
        return f"{kind}, {self.encoding}"


@dataclass
class Table:
    filename: str
    header_line: int
    columns: dict[str, int]  # role -> column index
    header: list[str]
    rows: list[Row] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)  # headers of unread columns
    reading: Reading = field(default_factory=Reading)

    def cell(self, row, role):
        index = self.columns.get(role)
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index]


def read_table(content, filename, sheet=None):
    """Read a legacy export into a Table: its header and every row after it; of a workbook,
    the sheet named `sheet`, or the first.

    Raises LegacyFileError for a file that cannot be read or is beyond the upload limits.
    """
    if len(content) > MAX_FILE_BYTES:
        raise LegacyFileError(
            filename,
            _("the file is larger than %(limit)s, the most that can be imported")
            % {"limit": filesizeformat(MAX_FILE_BYTES)},
        )
    table, first_rows, reading = None, [], Reading()
    for row in _read_rows(content, filename, reading, sheet):
        if table is None:
            columns, ignored = _header_columns(row.cells)
            if columns is None:
                if len(first_rows) < NO_HEADER_HINT_ROWS:
                    first_rows.append(row)
                continue
            table = Table(
                filename=filename,
                header_line=row.line,
                columns=columns,
                header=row.cells,
                ignored_columns=ignored,
                reading=reading,
            )
        elif reading.delimiter in (";", ",") and _width(row.cells) > len(table.header):
            # A tab never occurs in a typed cell, but a semicolon or comma does: a row
            # wider than its header had one outside quotes, and its cells are shifted.
            raise LegacyFileError(
                filename,
                _(
                    "the row has %(count)s cells but the header row (line %(header)s) has "
                    "%(columns)s: a cell holds a “%(delimiter)s” outside quotes, so the row's "
                    "cells do not line up with the columns"
                )
                % {
                    "count": _width(row.cells),
                    "header": table.header_line,
                    "columns": len(table.header),
                    "delimiter": reading.delimiter,
                },
                line=row.line,
            )
        elif len(table.rows) < MAX_ROWS:
            table.rows.append(row)
        elif not row.is_blank:
            raise LegacyFileError(
                filename,
                _(
                    "the file has more than %(limit)s rows after its header row (line "
                    "%(header)s): split it into smaller files"
                )
                % {"limit": MAX_ROWS, "header": table.header_line},
                line=row.line,
            )
        # A blank row past the limit has nothing to import: Excel exports trailing ones.
    if table is None:
        raise LegacyFileError(filename, _no_header_message(first_rows))
    if reading.format != "text":
        # Sheets report trailing formatted-but-empty rows; they carry nothing.
        while table.rows and table.rows[-1].is_blank:
            table.rows.pop()
    if all(data_row.is_blank for data_row in table.rows):
        raise LegacyFileError(
            filename, _("the file has a header row but no rows after it"), line=table.header_line
        )
    return table


def _no_header_message(first_rows):
    if not any(any(row.cells) for row in first_rows):
        return _("the file has no content")
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


def _is_workbook(content):
    return content.startswith(b"PK\x03\x04")


def _width(cells):
    """The number of cells up to the last non-empty one: a wide used range, or Excel's
    CSV padding every row to the widest, leaves trailing empty cells that are harmless."""
    width = len(cells)
    while width and not cells[width - 1]:
        width -= 1
    return width


def _read_rows(content, filename, reading, sheet):
    """The file's rows, numbered from 1, one at a time: a file is refused at its first bad row.
    Fills in `reading` with how the file is read."""
    if not content or not content.strip():
        raise LegacyFileError(filename, _("the file is empty"))
    if content.startswith(OLE2_SIGNATURE):
        rows = _read_xls(content, filename, reading, sheet)
    elif _is_workbook(content):
        rows = _read_zipped_workbook(content, filename, reading, sheet)
    else:
        rows = _read_text(content, filename, reading)
    for row in rows:
        width = _width(row.cells)
        if width > MAX_CELLS_PER_ROW:
            raise LegacyFileError(
                filename,
                _("the row has %(count)s cells; at most %(limit)s are read in one row")
                % {"count": width, "limit": MAX_CELLS_PER_ROW},
                line=row.line,
            )
        yield row


def _read_text(content, filename, reading):
    text, reading.encoding = _decode(content, filename)
    if "\x00" in text:
        raise LegacyFileError(
            filename,
            _("the file contains NUL characters: it is not a text export"),
            line=text.count("\n", 0, text.index("\x00")) + 1,
        )
    reading.delimiter = delimiter = _delimiter(text)
    reader = _csv_reader(text, delimiter)
    line = 1
    try:
        for cells in reader:
            row = Row(line=line, cells=[_clean(cell) for cell in cells])
            _check_quotes(row, filename, delimiter)
            yield row
            line = reader.line_num + 1
    except csv.Error as error:
        raise LegacyFileError(filename, str(error), line=line) from error


def _csv_reader(text, delimiter):
    # Excel's quoting: a cell with the delimiter, a quote or a line break is quoted, and a
    # quote in it doubled.
    return csv.reader(
        io.StringIO(text, newline=""), dialect="excel", delimiter=delimiter, strict=False
    )


def _delimiter(text):
    """The delimiter with which a row of the file's beginning reads as the header row:
    tab (“Text (Tab delimited)”), semicolon (a Finnish Excel's CSV) or comma. Told from
    the header, never from a cell's content; tab when none fits (the header is then
    reported missing)."""
    for delimiter in DELIMITERS:
        reader = _csv_reader(text, delimiter)
        try:
            for _number, cells in zip(range(NO_HEADER_HINT_ROWS), reader, strict=False):
                if _header_columns([_clean(cell) for cell in cells])[0] is not None:
                    return delimiter
        except csv.Error:
            continue
    return "\t"


def _check_quotes(row, filename, delimiter):
    """Refuse a row whose quoted cell swallowed the rows after it: the cell is longer than
    Excel allows, or a line in it reads as a row of its own (tabs are never typed in a
    cell; semicolons and commas are, so with those the line must also start with a code)."""
    for cell in row.cells:
        swallowed = len(cell) > EXCEL_CELL_LIMIT or any(
            line.count(delimiter) >= 2 and (delimiter == "\t" or ROW_START.match(line))
            for line in cell.split("\n")[1:]
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
    """The file's text and the name of its encoding."""
    if content.startswith(codecs.BOM_UTF8):
        return _decode_as(content[len(codecs.BOM_UTF8) :], "utf-8", filename), _("UTF-8 with BOM")
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(content, "utf-16", filename), "UTF-16"
    if b"\x00" in content:
        raise LegacyFileError(
            filename,
            _(
                "this is not a text export: it contains binary data "
                "(or UTF-16 without a byte-order mark)"
            ),
        )
    try:
        return content.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        _refuse_mixed_utf8(content, error.start, filename)
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
    return text, "Windows-1252"


def _refuse_mixed_utf8(content, position, filename):
    """Refuse UTF-8 text with a line in another encoding instead of importing it garbled.

    A line pasted from a Windows-1252 file into a UTF-8 one makes the whole file invalid
    UTF-8, and read as Windows-1252 every other line's "lisää" would become "lisÃ¤Ã¤".
    A line that is valid UTF-8 and not plain ASCII shows that the file is UTF-8: a real
    Windows-1252 export hardly ever has one, since its ä and ö would have to be followed
    by the very bytes that UTF-8 needs after them.
    """
    if any(not line.isascii() and _is_utf8(line) for line in content.split(b"\n")):
        raise LegacyFileError(
            filename,
            _(
                "this line is not UTF-8 like the rest of the file (byte 0x%(byte)02X; perhaps "
                "it was pasted from a Windows-1252 file): save the whole file again as UTF-8, "
                "“Unicode Text” or .xlsx"
            )
            % {"byte": content[position]},
            line=content.count(b"\n", 0, position) + 1,
        )


def _is_utf8(data):
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_as(content, encoding, filename):
    try:
        return content.decode(encoding)
    except UnicodeDecodeError as error:
        raise LegacyFileError(
            filename,
            _("the file is not valid %(encoding)s at byte %(position)s")
            % {"encoding": encoding.upper(), "position": error.start},
            line=content[: error.start].decode(encoding, errors="replace").count("\n") + 1,
        ) from error


def _read_zipped_workbook(content, filename, reading, sheet):
    """An .xlsx or an .ods: both are ZIP archives, told apart by what they hold."""
    _check_unpacked_size(content, filename)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        is_ods = "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE
    reading.format = "ods" if is_ods else "xlsx"
    try:
        yield from (_ods_rows if is_ods else _xlsx_rows)(content, filename, reading, sheet)
    except LegacyFileError:
        raise
    except Exception as error:  # openpyxl and odfpy raise many kinds on a damaged file
        raise _not_a_workbook(filename) from error


def _read_xls(content, filename, reading, sheet):
    import xlrd

    reading.format = "xls"
    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except Exception as error:  # xlrd raises many kinds on a damaged workbook
        raise LegacyFileError(
            filename, _("this is an Excel 97–2003 file but not a readable workbook")
        ) from error
    try:
        names = book.sheet_names()
        reading.sheet = _sheet_name(names, sheet, filename)
        worksheet = book.sheet_by_name(reading.sheet)
        for index in range(worksheet.nrows):
            cells = worksheet.row(index)
            yield Row(
                line=index + 1,
                cells=[_clean(_xlsx_text(cell.value)) for cell in cells],
                numeric=frozenset(
                    position
                    for position, cell in enumerate(cells)
                    if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE)
                ),
            )
    finally:
        book.release_resources()


def _sheet_name(names, wanted, filename):
    """The sheet to read: the one named `wanted`, or the first."""
    if not names:
        raise LegacyFileError(filename, _("the workbook has no worksheet"))
    if wanted is None or wanted == "":
        return names[0]
    if wanted not in names:
        raise LegacyFileError(
            filename,
            _("the workbook has no sheet “%(sheet)s”; its sheets: %(sheets)s")
            % {"sheet": wanted, "sheets": ", ".join(f"“{name}”" for name in names)},
        )
    return wanted


def sheet_names(content):
    """A workbook's sheet names, for choosing one; [] for a text file or an unreadable one."""
    try:
        if content.startswith(OLE2_SIGNATURE):
            import xlrd

            return xlrd.open_workbook(file_contents=content, on_demand=True).sheet_names()
        if _is_workbook(content):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                if archive.read("mimetype").strip() == ODS_MIMETYPE:
                    from odf.opendocument import load
                    from odf.table import Table as OdsTable

                    document = load(io.BytesIO(content))
                    return [
                        str(table.getAttribute("name"))
                        for table in document.spreadsheet.getElementsByType(OdsTable)
                    ]
            from openpyxl import load_workbook

            return load_workbook(io.BytesIO(content), read_only=True).sheetnames
    except Exception:  # an unreadable file is reported by read_table, not here
        return []
    return []


def _ods_rows(content, filename, reading, sheet):
    from odf import teletype
    from odf.opendocument import load
    from odf.table import Table as OdsTable
    from odf.table import TableRow

    document = load(io.BytesIO(content))
    tables = {
        str(table.getAttribute("name")): table
        for table in document.spreadsheet.getElementsByType(OdsTable)
    }
    reading.sheet = _sheet_name(list(tables), sheet, filename)
    line = 0
    for row in tables[reading.sheet].getElementsByType(TableRow):
        cells, numeric = [], set()
        for cell in row.childNodes:
            if cell.qname[1] not in ("table-cell", "covered-table-cell"):
                continue
            text = "\n".join(
                teletype.extractText(paragraph)
                for paragraph in cell.childNodes
                if paragraph.qname[1] == "p"
            )
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            if not text and repeat > MAX_CELLS_PER_ROW:
                break  # a sheet's empty columns to its right edge
            if cell.getAttribute("valuetype") in ODS_NUMERIC:
                numeric.update(range(len(cells), len(cells) + repeat))
            cells.extend([_clean(text)] * repeat)
        repeat = int(row.getAttribute("numberrowsrepeated") or 1)
        blank = not any(cells)
        if blank and repeat > MAX_ROWS:
            return  # a sheet's empty rows to its bottom edge
        for _copy in range(repeat):
            line += 1
            yield Row(line=line, cells=list(cells), numeric=frozenset(numeric))


def _check_unpacked_size(content, filename):
    """Refuse a workbook whose members would unpack beyond the limit, before any is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _not_a_workbook(filename) from error
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise LegacyFileError(
            filename,
            _(
                "the workbook would unpack to more than %(limit)s, the most that can be read: "
                "save its first sheet alone, or as “Text (Tab delimited)”"
            )
            % {"limit": filesizeformat(MAX_XLSX_UNPACKED_BYTES)},
        )


def _xlsx_rows(content, filename, reading, wanted):
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        reading.sheet = _sheet_name(workbook.sheetnames, wanted, filename)
        sheet = workbook[reading.sheet]
        # A workbook may record a stale size for its sheet; read what is really there.
        sheet.reset_dimensions()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield Row(
                line=number,
                cells=[_clean(_xlsx_text(value)) for value in values],
                numeric=frozenset(
                    index
                    for index, value in enumerate(values)
                    if isinstance(value, (int, float, datetime.date, datetime.time))
                ),
            )
    finally:
        workbook.close()


def _not_a_workbook(filename):
    return LegacyFileError(
        filename, _("this is a ZIP file but not a readable .xlsx or .ods workbook")
    )


def _xlsx_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean(cell):
    """Trim a cell and normalise the line breaks inside it."""
    return cell.replace("\r\n", "\n").replace("\r", "\n").strip()
