"""Reading a list of invitees from a CSV or XLSX file, and checking every row before anything is saved.

A file is read whole into rows of text (``read_rows``): CSV in UTF-8, with or without the byte-order
mark Excel writes, with the comma, semicolon or tab that Excel uses in the saving computer's locale
(and its ``sep=`` first line), or in Windows-1252 when it is not UTF-8 (Excel's plain "CSV" on a
Western computer); XLSX through openpyxl, its first sheet. The first row names the columns, in any
order and any case. Then ``rows_check`` checks every row — required fields, lengths, email syntax,
country (ISO code or English name), category (name or slug of one of the forum's invitation-only
categories), the same address twice in the file, an address already invited or registered — and
returns the invitees, or every problem by row number (as the spreadsheet numbers it) and column.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from events.models import Forum

from ..enums import ACTIVE_STATUSES, OPEN_INVITATION_STATUSES
from ..models import DelegateCategory, Invitation, Registration
from .services import Invitee

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# The columns, in the template's order, with the longest value each takes (the model's).
COLUMNS = ("name", "position", "city", "country", "email", "category")
REQUIRED = ("name", "email", "category")
MAX_LENGTHS = {"name": 200, "position": 200, "city": 120, "email": 254}
COLUMN_LABELS = {
    "name": gettext_lazy("name"),
    "position": gettext_lazy("position"),
    "city": gettext_lazy("city"),
    "country": gettext_lazy("country"),
    "email": gettext_lazy("email"),
    "category": gettext_lazy("category"),
}


class ImportFileError(Exception):
    """The file as a whole cannot be read; ``str(error)`` says why, for staff."""


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # one of COLUMNS, or "" for the whole row
    message: str

    @property
    def column_label(self) -> str:
        return str(COLUMN_LABELS.get(self.column, ""))


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, str]


def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _csv_text(data)
    first_line = text.split("\n", 1)[0].strip()
    delimiter = None
    if first_line.lower().startswith("sep=") and len(first_line) == 5:
        # Excel's hint of the separator, on a line of its own.
        delimiter = first_line[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
    if delimiter is None:
        header = text.split("\n", 1)[0]
        counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
        delimiter = max(counts, key=counts.get) if any(counts.values()) else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportFileError(_("The CSV file could not be read: %(error)s") % {"error": error}) from error


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl  # only for the import; a heavy module for every other page

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(
            _("This file is not an Excel workbook (XLSX) that can be read. Save it again as XLSX or CSV.")
        ) from error
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_rows(*, name: str, data: bytes) -> list[Row]:
    """The rows of the file below its header, each a dict of the known columns (empty rows left out),
    numbered as the spreadsheet numbers them. Raises ImportFileError for a file that is too large, of
    another kind, unreadable, without the required columns, or with more than MAX_ROWS rows."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MiB: split the list into smaller files.")
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    lowered = name.lower()
    if lowered.endswith(".csv"):
        table = _csv_rows(data)
    elif lowered.endswith(".xlsx"):
        table = _xlsx_rows(data)
    else:
        raise ImportFileError(_("Upload a CSV or XLSX file (its name ends in .csv or .xlsx)."))
    if not table or not any(cell.strip() for cell in table[0]):
        raise ImportFileError(_("The file is empty: its first row must name the columns."))
    header = [cell.strip().lower() for cell in table[0]]
    positions = {column: header.index(column) for column in COLUMNS if column in header}
    missing = [column for column in REQUIRED if column not in positions]
    if missing:
        raise ImportFileError(
            _("The first row must name the columns %(required)s (found: %(found)s).")
            % {
                "required": ", ".join(COLUMNS),
                "found": ", ".join(cell for cell in table[0] if cell.strip()) or _("nothing"),
            }
        )
    rows = []
    for number, cells in enumerate(table[1:], start=2):
        values = {
            column: (cells[index].strip() if index < len(cells) else "")
            for column, index in positions.items()
        }
        if any(values.values()):
            rows.append(Row(number=number, values=values))
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)s invitees: split it into smaller files.") % {"max": MAX_ROWS}
        )
    if not rows:
        raise ImportFileError(_("The file names the columns but lists nobody to invite."))
    return rows


def country_code(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of ``value``: a code (alpha-2 or alpha-3, any case) or the English
    name of a country. None if it is neither."""
    value = value.strip()
    if not value:
        return None
    code = countries.alpha2(value.upper()) if len(value) in (2, 3) else ""
    if code:
        return code
    code = countries.by_name(value, language="en")
    return code or None


def _category_lookup(forum: Forum) -> dict[str, DelegateCategory]:
    lookup = {}
    for category in DelegateCategory.objects.filter(forum=forum):
        lookup[category.slug.lower()] = category
        lookup[category.name.strip().lower()] = category
    return lookup


def rows_check(*, forum: Forum, rows: list[Row]) -> tuple[list[Invitee], list[RowError]]:
    """Check every row against the rules of an invitation (see the module's docstring). Returns the
    invitees in file order and no errors, or the errors of every row (and the invitees of no use)."""
    categories = _category_lookup(forum)
    emails = [row.values.get("email", "").strip().lower() for row in rows]
    # Case-insensitive matches against what is already there, in two queries whatever the file's size.
    wanted = {email for email in emails if email}
    invited = {
        email.lower()
        for email in Invitation.objects.filter(forum=forum, status__in=OPEN_INVITATION_STATUSES).values_list(
            "email", flat=True
        )
    } & wanted
    registered = {
        email.lower()
        for email in Registration.objects.filter(forum=forum, status__in=ACTIVE_STATUSES).values_list(
            "email", flat=True
        )
    } & wanted
    errors: list[RowError] = []
    invitees: list[Invitee] = []
    first_row_of: dict[str, int] = {}
    for row in rows:
        values = row.values
        row_errors = []
        for column in REQUIRED:
            if not values.get(column):
                row_errors.append(RowError(row.number, column, _("Required: this cell is empty.")))
        for column, limit in MAX_LENGTHS.items():
            if len(values.get(column, "")) > limit:
                row_errors.append(
                    RowError(row.number, column, _("Longer than %(limit)s characters.") % {"limit": limit})
                )
        email = values.get("email", "")
        if email and len(email) <= MAX_LENGTHS["email"]:
            try:
                validate_email(email)
            except ValidationError:
                row_errors.append(
                    RowError(row.number, "email", _("Not an email address like name@example.org."))
                )
            else:
                key = email.lower()
                if key in first_row_of:
                    row_errors.append(
                        RowError(
                            row.number,
                            "email",
                            _("The same address as row %(row)s.") % {"row": first_row_of[key]},
                        )
                    )
                else:
                    first_row_of[key] = row.number
                if key in invited:
                    row_errors.append(
                        RowError(
                            row.number, "email", _("Already invited to this forum (invitation not used).")
                        )
                    )
                elif key in registered:
                    row_errors.append(RowError(row.number, "email", _("Already registered for this forum.")))
        code = ""
        if values.get("country"):
            code = country_code(values["country"])
            if code is None:
                row_errors.append(
                    RowError(
                        row.number,
                        "country",
                        _("“%(value)s” is not a country: use its ISO code (e.g. KH) or its English name.")
                        % {"value": values["country"]},
                    )
                )
        category = None
        if values.get("category"):
            category = categories.get(values["category"].strip().lower())
            if category is None:
                row_errors.append(
                    RowError(
                        row.number,
                        "category",
                        _("“%(value)s” is not a category of %(forum)s.")
                        % {"value": values["category"], "forum": forum.name},
                    )
                )
            elif not category.by_invitation:
                row_errors.append(
                    RowError(
                        row.number,
                        "category",
                        _("“%(value)s” is not by invitation only: invitations are for such categories.")
                        % {"value": category.name},
                    )
                )
        if row_errors:
            errors.extend(row_errors)
            continue
        invitees.append(
            Invitee(
                category=category,
                name=values["name"],
                email=email,
                position=values.get("position", ""),
                city=values.get("city", ""),
                country=code or "",
            )
        )
    return invitees, errors
