"""The file formats of an export, from a ``tables.Table``.

- CSV: UTF-8 with a byte-order mark (Excel then reads Khmer, Thai, Burmese... instead of mojibake),
  streamed row by row (``StreamingHttpResponse``): 10,000 rows never sit in memory at once.
- XLSX: openpyxl's write-only workbook, written row by row (its sheet in a work folder of the export's
  own, removed when it ends, and by the next export if the process was killed), saved into an unnamed
  temporary file (unlinked from the start: nothing with personal data is left on disk), then streamed
  from it. Dates and times are real date cells; the header row is bold and stays in view.

Both neutralise spreadsheet formulas: a text that starts with ``=``, ``+``, ``-`` or ``@`` (a phone
number "+855 ...", or a name typed to attack whoever opens the file) is written as text, never run.
"""

import contextlib
import csv
import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet import _writer as openpyxl_sheet_writer
from openpyxl.worksheet._writer import WorksheetWriter

from .tables import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- CSV -----------------------------------------------------------------------------------------------


class _Line:
    """A file-like object that hands back what ``csv.writer`` writes (one line at a time)."""

    def write(self, value: str) -> str:
        return value


def csv_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text  # shown as typed, not run as a formula
    return text


def csv_lines(table: Table) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(table.headers)
    for row in table.rows:
        yield writer.writerow([csv_text(value) for value in row])


def csv_response(table: Table) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{table.filename}.csv"
    )
    return _private(response)


# --- XLSX ----------------------------------------------------------------------------------------------

_DATE_FORMAT = "yyyy-mm-dd"
_TIME_FORMAT = "hh:mm"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def _cell(sheet, value: object, *, wrap: Alignment):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _DATE_FORMAT
        return cell
    if isinstance(value, dt.time):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = _TIME_FORMAT
        return cell
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):  # openpyxl would store it as a formula
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            return cell
        if "\n" in value:
            cell = WriteOnlyCell(sheet, value=value)
            cell.alignment = wrap
            return cell
    return value


_WORK_PREFIX = "amf-export-"
_LEFTOVER_AGE = 3600  # seconds: a folder this old belongs to an export whose process died


def _clean_leftovers() -> None:
    """Remove the work folders of exports whose process was killed mid-way (older than an hour)."""
    root = Path(tempfile.gettempdir())
    now = time.time()
    for folder in root.glob(f"{_WORK_PREFIX}*"):
        with contextlib.suppress(OSError):
            if folder.is_dir() and not folder.is_symlink() and now - folder.stat().st_mtime > _LEFTOVER_AGE:
                shutil.rmtree(folder, ignore_errors=True)


def _sheet_writer_in(sheet, folder: str) -> None:
    """openpyxl's write-only sheet keeps its XML in a named temporary file until the workbook is
    saved; put that file in ``folder`` (private to this export, removed when it ends) rather than in
    the system's temporary folder, where a killed process would leave it behind."""
    path = os.path.join(folder, "sheet.xml")
    writer = WorksheetWriter(sheet, out=path)
    openpyxl_sheet_writer.ALL_TEMP_FILES.append(path)  # openpyxl's cleanup() takes it off this list
    writer.write_top()
    sheet._writer = writer


def xlsx_file(table: Table):
    """The workbook of ``table`` in an unnamed temporary file, positioned at its start."""
    _clean_leftovers()
    with tempfile.TemporaryDirectory(prefix=_WORK_PREFIX) as folder:
        return _xlsx_file(table, folder)


def _xlsx_file(table: Table, folder: str):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(table.title))
    _sheet_writer_in(sheet, folder)
    sheet.freeze_panes = "A2"
    for index, width in enumerate(table.column_widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header = []
    for label in table.headers:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in table.rows:
        sheet.append([_cell(sheet, value, wrap=wrap) for value in row])
    output = tempfile.TemporaryFile(prefix=_WORK_PREFIX)  # noqa: SIM115 - FileResponse closes it
    workbook.save(output)
    output.seek(0)
    return output


def _sheet_title(title: str) -> str:
    # Excel's limits: 31 characters, none of []:*?/\
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return cleaned[:31] or "Sheet"


def xlsx_response(table: Table) -> FileResponse:
    response = FileResponse(
        xlsx_file(table), as_attachment=True, filename=f"{table.filename}.xlsx", content_type=XLSX_TYPE
    )
    return _private(response)


def export_response(table: Table, file_format: str):
    return xlsx_response(table) if file_format == "xlsx" else csv_response(table)
