"""Importing a list of invitees in the admin: CSV (with the byte-order mark Excel writes, or
semicolons, or Windows-1252) and XLSX, names in Khmer, Thai and Burmese; every row checked first and
every problem shown by row and column, nothing saved unless the whole file is right; then one email
each with a personal link. The templates to download import as they are."""

import csv
import io

import openpyxl
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from delegates.enums import InvitationStatus
from delegates.invitations import imports
from delegates.models import EmailOutbox, Invitation
from tests.delegates.invitations.conftest import link_in

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:delegates_invitation_import")
HEADER = ["Name", "Position", "City", "Country", "Email", "Category"]
# From tests/data/delegate-names.tsv (fictional people), in their own scripts.
PEOPLE = [
    ["សុខ វិបុល", "Governor", "Phnom Penh", "KH", "sok.vibol@phnompenh.example.org", "mayor-invited"],
    [
        "สมชาย ใจดี",
        "Deputy Governor",
        "Bangkok",
        "Thailand",
        "somchai@bangkok.example.org",
        "Mayor / Governor — by invitation",
    ],
    ["အောင်ကျော်မင်း", "Mayor", "Yangon", "mm", "aung.kyaw.min@yangon.example.org", "MAYOR-INVITED"],
]


def csv_bytes(rows, *, bom=True, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, forum, name, content):
    return client.post(IMPORT, {"forum": forum.pk, "file": SimpleUploadedFile(name, content)})


@pytest.fixture
def signed_in(client, registrar):
    client.force_login(registrar)
    return client


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invitees.csv", csv_bytes([HEADER, *PEOPLE])),
        ("invitees.xlsx", xlsx_bytes([HEADER, *PEOPLE])),
        # Excel in a locale whose list separator is the semicolon, with its "sep=" line.
        ("excel-semicolons.csv", b"sep=;\r\n" + csv_bytes([HEADER, *PEOPLE], delimiter=";", bom=False)),
    ],
)
def test_a_list_in_every_script_invites_everyone_and_emails_each_their_link(
    signed_in, open_forum, invited_mayors, name, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(signed_in, open_forum, name, content)

    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("admin:delegates_invitation_changelist") + f"?forum__id__exact={open_forum.pk}"
    )
    invited = list(
        Invitation.objects.order_by("id").values_list(
            "name", "position", "city", "country", "email", "category", "status"
        )
    )
    assert invited == [
        (person[0], person[1], person[2], code, person[4], invited_mayors.pk, InvitationStatus.SENT)
        for person, code in zip(PEOPLE, ("KH", "TH", "MM"), strict=True)
    ]
    assert [message.to for message in mail.outbox] == [[person[4]] for person in PEOPLE]
    assert [message.body.splitlines()[0] for message in mail.outbox] == [
        f"Dear {person[0]}," for person in PEOPLE
    ]
    links = {link_in(message) for message in mail.outbox}
    assert len(links) == 3


def test_a_file_with_bad_rows_invites_nobody_and_lists_every_problem(
    signed_in, open_forum, invited_mayors, mayors, register, django_capture_on_commit_callbacks
):
    registered = register(open_forum, mayors, 9)
    rows = [
        HEADER,
        PEOPLE[0],
        ["", "Mayor", "Hue", "VN", "not-an-address", "mayor-invited"],  # row 3
        [
            "Tan Mei Ling",
            "Mayor",
            "Singapore",
            "Atlantis",
            "SOK.VIBOL@phnompenh.example.org",
            "mayor-invited",
        ],  # 4
        ["Lee", "Mayor", "Seoul", "KR", "lee@seoul.example.org", mayors.slug],  # 5
        ["Nine", "Mayor", "Hue", "VN", registered.email, "no-such-category"],  # 6
        [],  # an empty row is not a row of the list
        PEOPLE[1],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(signed_in, open_forum, "invitees.csv", csv_bytes(rows))

    assert response.status_code == 200
    assert not Invitation.objects.exists()
    assert not EmailOutbox.objects.filter(invitation__isnull=False).exists()
    assert mail.outbox == []
    errors = [(e.row, e.column, e.message) for e in response.context["errors"]]
    assert errors == [
        (3, "name", "Required: this cell is empty."),
        (3, "email", "Not an email address like name@example.org."),
        (4, "email", "The same address as row 2."),
        (4, "country", "“Atlantis” is not a country: use its ISO code (e.g. KH) or its English name."),
        (
            5,
            "category",
            "“Category 1” is not by invitation only: invitations are for such categories."
            if mayors.name == "Category 1"
            else f"“{mayors.name}” is not by invitation only: invitations are for such categories.",
        ),
        (6, "email", "Already registered for this forum."),
        (6, "category", "“no-such-category” is not a category of ASEAN Mayors Forum 2031."),
    ]
    html = response.content.decode()
    assert "Nobody was invited: 4 rows have problems." in html
    assert '<table id="import-errors">' in html
    assert "<td>4</td>\n                <td>country</td>" in html


def test_an_address_with_an_open_invitation_is_not_invited_again(
    signed_in, open_forum, invited_mayors, invite
):
    invite(invited_mayors, email="somchai@bangkok.example.org")
    response = upload(signed_in, open_forum, "invitees.xlsx", xlsx_bytes([HEADER, *PEOPLE]))
    assert [(e.row, e.column, e.message) for e in response.context["errors"]] == [
        (3, "email", "Already invited to this forum (invitation not used).")
    ]
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invitees.txt", b"name,email", "Upload a CSV or XLSX file (its name ends in .csv or .xlsx)."),
        (
            "invitees.xlsx",
            b"PK\x03\x04 not really a workbook",
            "This file is not an Excel workbook (XLSX) that can be read.",
        ),
        ("invitees.csv", b"", "The file is empty: its first row must name the columns."),
        (
            "invitees.csv",
            csv_bytes([["Full name", "Mail"], ["A", "a@example.org"]]),
            "The first row must name the columns",
        ),
        ("invitees.csv", csv_bytes([HEADER]), "The file names the columns but lists nobody to invite."),
        ("invitees.csv", b"x" * (2 * 1024 * 1024 + 1), "The file is larger than 2 MiB"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_clear_message(
    signed_in, open_forum, invited_mayors, name, content, message
):
    response = upload(signed_in, open_forum, name, content)
    assert response.status_code == 200
    form_errors = response.context["form"].errors.get("file", [])
    assert message in response.context["file_error"] or [message] == form_errors
    assert message.split(":")[0] in response.content.decode()
    assert not Invitation.objects.exists()


def test_more_than_five_thousand_invitees_is_refused():
    rows = [HEADER] + [["N", "", "", "", f"n{i}@example.org", "x"] for i in range(imports.MAX_ROWS + 1)]
    with pytest.raises(imports.ImportFileError, match="more than 5000 invitees"):
        imports.read_rows(name="big.csv", data=csv_bytes(rows))


def test_a_csv_saved_by_excel_in_windows_1252_is_read():
    rows = imports.read_rows(
        name="invitees.csv",
        data=csv_bytes(
            [HEADER, ["José Peña", "Mayor", "Cebu", "PH", "jose@cebu.example.org", "x"]],
            bom=False,
            encoding="cp1252",
        ),
    )
    assert rows[0].values["name"] == "José Peña"


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_templates_download_and_import_as_they_are(
    signed_in, open_forum, invited_mayors, file_format, django_capture_on_commit_callbacks
):
    response = signed_in.get(reverse(f"admin:delegates_invitation_template_{file_format}"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="invitations-template.{file_format}"'
    if file_format == "csv":
        assert response.content.startswith("\ufeff".encode())
        table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        table = [
            list(r)
            for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        ]
    assert table[0] == list(imports.COLUMNS)
    assert table[1][5] == invited_mayors.name

    with django_capture_on_commit_callbacks(execute=True):
        imported = upload(signed_in, open_forum, f"template.{file_format}", response.content)
    assert imported.status_code == 302
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "sok.vibol@phnompenh.example.org",
        "somchai@bangkok.example.org",
    ]
