"""The templates of an invitation list, to download from the import page: the columns in order and two
example rows (fictional people), as CSV (UTF-8 with a byte-order mark, so that Excel shows every
script) and as XLSX. The example's category is the first invitation-only category of the staff
member's forums, if there is one."""

import csv
import io

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from events.models import Forum

from ..models import DelegateCategory
from .imports import COLUMNS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _examples(forums: QuerySet[Forum]) -> list[list[str]]:
    category = (
        DelegateCategory.objects.filter(forum__in=forums, by_invitation=True)
        .order_by("forum__start_date")
        .last()
    )
    name = category.name if category else "Mayor / Governor — by invitation"
    return [
        ["Sok Vibol", "Governor", "Phnom Penh", "KH", "sok.vibol@phnompenh.example.org", name],
        ["Somchai Jaidee", "Deputy Governor", "Bangkok", "Thailand", "somchai@bangkok.example.org", name],
    ]


def template_response(file_format: str, *, forums: QuerySet[Forum]) -> HttpResponse:
    rows = [list(COLUMNS), *_examples(forums)]
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        response = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        filename = "invitations-template.csv"
    elif file_format == "xlsx":
        import openpyxl  # only for this download

        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "Invitations"
        for row in rows:
            sheet.append(row)
        for column, width in zip("ABCDEF", (28, 22, 18, 10, 34, 34), strict=True):
            sheet.column_dimensions[column].width = width
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        filename = "invitations-template.xlsx"
    else:
        raise Http404("No such template")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
