"""Reads of print jobs: which badges are printed — and printed as they are now, or changed since and
due for a reprint — and how far a job has come."""

from collections.abc import Iterable

from django.db.models import Case, CharField, Exists, OuterRef, TextChoices, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..badges.content import badge_content, badge_fingerprint
from ..badges.printable import UnprintableBadge, badge_problems
from ..enums import PrintJobStatus
from ..models import PrintJob, PrintJobItem, Registration


class BadgePrintState(TextChoices):
    """Where a registration's badge stands with the print jobs (``badge_print_state``)."""

    PRINTED = "printed", _("Printed")
    CHANGED = "changed", _("Needs reprint")  # printed, but what it shows has changed since
    NOT_PRINTED = "not_printed", _("Not yet printed")


def printed_badge_exists() -> Exists:
    """For ``Registration`` querysets: the registration's badge is in a DONE print job (as it was
    then: see ``current_badge_printed``)."""
    return Exists(PrintJobItem.objects.filter(registration=OuterRef("pk"), job__status=PrintJobStatus.DONE))


def current_badge_printed() -> Exists:
    """For ``Registration`` querysets: a DONE print job printed the badge as it is now — the
    fingerprint of what the badge shows equals one its print job items recorded."""
    return Exists(
        PrintJobItem.objects.filter(
            registration=OuterRef("pk"),
            job__status=PrintJobStatus.DONE,
            printed_fingerprint=badge_fingerprint(outer=True),
        )
    )


def badge_print_state() -> Case:
    """For ``Registration`` querysets: a ``BadgePrintState`` value, in two subqueries of the query
    (no badge rendered, no query per row)."""
    return Case(
        When(current_badge_printed(), then=Value(BadgePrintState.PRINTED)),
        When(printed_badge_exists(), then=Value(BadgePrintState.CHANGED)),
        default=Value(BadgePrintState.NOT_PRINTED),
        output_field=CharField(),
    )


def badges_that_cannot_print(registrations: Iterable[Registration]) -> list[UnprintableBadge]:
    """The badges among ``registrations`` (loaded with their forum and category) that cannot print
    as they are, each with why (``badges.printable.badge_problems``)."""
    return [
        UnprintableBadge(registration, problems)
        for registration in registrations
        if (problems := badge_problems(badge_content(registration=registration)))
    ]


def print_job_progress_text(*, job: PrintJob) -> str:
    """ "37 of 200 badges", as the progress page says it."""
    done = job.total if job.status == PrintJobStatus.DONE else min(job.done, job.total)
    return ngettext("%(done)d of %(total)d badge", "%(done)d of %(total)d badges", job.total) % {
        "done": done,
        "total": job.total,
    }
