"""Reading an uploaded CSV file into checked rows, or every problem with a line number.

Shared by the bulk imports (student invitations in ``accounts.imports``, openings
in ``marketplace.imports``). It knows nothing of what a row means; it checks the
file itself:

- the text is UTF-8 (a byte-order mark, as Excel writes it, is fine). Other text
  is refused line by line: guessing an encoding turns "Sánchez" into "SÃ¡nchez";
- columns are separated by ``;`` (Dutch Excel) or ``,`` (or a tab), found from
  the header line. Another separator shows up as missing columns, with a hint;
- the header names every required column, in Dutch or English, in any order and
  any case. Unknown columns are ignored;
- every row has as many values as the header. Empty rows are skipped.

Problems come back together, as ``LineError(line, column, message)`` in the
active language, so a person can fix a file in one go.

It also writes the tables people download (CSV and XLSX), with every text cell
made safe to open in a spreadsheet: see ``spreadsheet_safe``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ERRORS = 200
SEPARATORS = (";", ",", "\t")


@dataclass(frozen=True)
class Column:
    """One column of an import: its key, the header names it answers to (compared
    case-insensitively), the header written in a template, and whether it must be there."""

    key: str
    header: str | Promise
    aliases: tuple[str, ...] = ()
    required: bool = True
    help: str | Promise = ""

    def names(self) -> set[str]:
        """Every header that means this column: its key, aliases, and its template
        header in both languages (a Dutch template uploaded from an English page)."""
        headers = []
        for language in ("nl", "en"):
            with translation.override(language):
                headers.append(str(self.header))
        return {_header_normalise(n) for n in (self.key, *headers, *self.aliases)}


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


class TableInvalid(Exception):
    """The file cannot be read as the table asked for; ``errors`` says where."""

    def __init__(self, errors: list[LineError]) -> None:
        super().__init__(f"{len(errors)} problem(s) in the file")
        self.errors = errors


@dataclass
class Row:
    line: int
    values: dict[str, str]


@dataclass
class Table:
    rows: list[Row]
    # Each column key as the file's header wrote it, for messages.
    headers: dict[str, str] = field(default_factory=dict)
    # The decoded text, newlines normalised: what a queued job keeps to read again.
    text: str = ""

    def header(self, key: str) -> str:
        return self.headers.get(key, key)


class ErrorList:
    """Collects errors up to ``MAX_ERRORS``; past that, one line says how many more."""

    def __init__(self) -> None:
        self.errors: list[LineError] = []
        self.dropped = 0

    def add(self, line: int, column: str, message: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(LineError(line, column, message))
        else:
            self.dropped += 1

    def __bool__(self) -> bool:
        return bool(self.errors)

    def result(self) -> list[LineError]:
        if self.dropped:
            more = _("%(n)s more problems are not shown; fix these first.") % {"n": self.dropped}
            return [*self.errors, LineError(0, "", more)]
        return list(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise TableInvalid(self.result())


def _header_normalise(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.replace("\ufeff", "")).strip().casefold()


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    errors = ErrorList()
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            errors.add(
                number,
                "",
                _(
                    "This line is not UTF-8 text (perhaps Windows-1252 or Latin-1). "
                    'Save the file as "CSV UTF-8" and upload it again.'
                ),
            )
    raise TableInvalid(errors.result())


def _separator(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in SEPARATORS}
    best = max(SEPARATORS, key=lambda sep: counts[sep])
    return best if counts[best] else ";"


def table_read(data: bytes, *, columns: Sequence[Column]) -> Table:
    """The rows of ``data``, each as ``{column key: stripped text}``; or ``TableInvalid``."""
    if len(data) > MAX_BYTES:
        raise TableInvalid(
            [
                LineError(
                    0,
                    "",
                    _("The file is larger than %(mb)s MB; split it into smaller files.")
                    % {"mb": MAX_BYTES // (1024 * 1024)},
                )
            ]
        )
    # Windows (CRLF) and old Mac (CR) line ends read as one.
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise TableInvalid([LineError(line, "", _("This line holds a NUL character."))])
    lines = text.splitlines()
    first = next((n for n, line in enumerate(lines, start=1) if line.strip()), None)
    if first is None:
        raise TableInvalid([LineError(1, "", _("The file is empty."))])
    separator = _separator(lines[first - 1])
    reader = csv.reader(io.StringIO(text), delimiter=separator, strict=True)
    errors = ErrorList()
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    width = 0
    rows: list[Row] = []
    line = 1
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.add(
                line,
                "",
                _("This line cannot be read as CSV: a quote is not closed."),
            )
            break
        if not any(value.strip() for value in record):
            continue
        if not width:
            width = len(record)
            _header_read(record, line, columns, headers, positions, errors, separator)
            if errors:
                break
            continue
        if len(record) < width or any(v.strip() for v in record[width:]):
            errors.add(
                line,
                "",
                _(
                    "This line has %(found)s values where the header has %(expected)s. "
                    "Check the separators and quotes on this line."
                )
                % {"found": len(record), "expected": width},
            )
            continue
        rows.append(Row(line, {key: record[index].strip() for key, index in positions.items()}))
        if len(rows) > MAX_ROWS:
            errors.add(
                line,
                "",
                _("The file has more than %(n)s rows; split it into smaller files.")
                % {"n": MAX_ROWS},
            )
            break
    if not width and not errors:
        errors.add(1, "", _("The file is empty."))
    errors.raise_if_any()
    if not rows:
        raise TableInvalid([LineError(first, "", _("The file has a header but no rows."))])
    return Table(rows=rows, headers=headers, text=text)


def _header_read(
    record: list[str],
    line: int,
    columns: Sequence[Column],
    headers: dict[str, str],
    positions: dict[str, int],
    errors: ErrorList,
    separator: str,
) -> None:
    by_name = {name: column for column in columns for name in column.names()}
    for index, raw in enumerate(record):
        column = by_name.get(_header_normalise(raw))
        if column is None:
            continue
        if column.key in positions:
            errors.add(line, raw.strip(), _("This column appears twice in the header."))
            continue
        positions[column.key] = index
        headers[column.key] = raw.strip()
    missing = [str(c.header) for c in columns if c.required and c.key not in positions]
    if missing:
        message = _("The header misses the column(s): %(columns)s.") % {
            "columns": ", ".join(missing)
        }
        joined = "".join(record)
        if len(record) == 1 or any(sep in joined for sep in ("|", ":", "\t") if sep != separator):
            message += " " + _(
                "Separate the columns with a semicolon (;) or a comma (,), "
                "as a spreadsheet does when it saves CSV."
            )
        errors.add(line, "", message)
    for key, index in positions.items():
        headers.setdefault(key, record[index].strip())


# --- writing tables for spreadsheets -----------------------------------------------

# A cell starting with one of these is read as a formula by Excel, LibreOffice or
# Google Sheets (OWASP, "CSV Injection"): "=HYPERLINK(...)" in an organisation's
# name would run on the coordinator's machine.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """A value for a downloaded table: numbers stay numbers, ``None`` is empty, and
    text that a spreadsheet would take for a formula gets a leading apostrophe,
    which shows it as the text it is."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    """A ``;``-separated table with a byte-order mark, as Dutch Excel opens it."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(v) for v in header])
    writer.writerows([spreadsheet_safe(v) for v in row] for row in rows)
    return "\ufeff" + out.getvalue()


def xlsx_bytes(title: str, header: Sequence[object], rows: Sequence[Sequence[object]]) -> bytes:
    """An XLSX workbook of one sheet. Text is written as text (cell type ``s``),
    never as a formula, and made safe as in the CSV."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for r, row in enumerate([header, *rows], start=1):
        for c, value in enumerate(row, start=1):
            safe = spreadsheet_safe(value)
            cell = sheet.cell(row=r, column=c, value=safe)
            if isinstance(safe, str):
                cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
