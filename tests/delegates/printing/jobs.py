"""Print jobs for the printing tests: start one through the real service, read what it printed (the
names in order, the PDF's pages), the admin's URLs of a job, and a second PostgreSQL connection of our
own (another worker, a watcher)."""

import io

import pdfplumber
from django.core.files.storage import default_storage
from django.db import connections
from django.urls import reverse

from delegates.enums import BadgeOrder
from delegates.models import Registration
from delegates.printing.services import print_job_start
from events.enums import BadgeLayout


def start(forum, order=BadgeOrder.CATEGORY_NAME, layout=BadgeLayout.A6, actor=None, registrations=None):
    if registrations is None:
        registrations = Registration.objects.filter(forum=forum)
    return print_job_start(forum=forum, registrations=registrations, order=order, layout=layout, actor=actor)


def printed_names(job):
    return list(job.items.order_by("position").values_list("registration__badge_name", flat=True))


def pdf_pages(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def read_file(job) -> bytes:
    with default_storage.open(job.file.name, "rb") as handle:
        return handle.read()


def progress_url(job):
    return reverse("admin:delegates_printjob_progress", args=[job.pk])


def download_url(job):
    return reverse("admin:delegates_printjob_download", args=[job.pk])


def libpq() -> dict:
    db = connections["default"].settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": db["NAME"],
    }
