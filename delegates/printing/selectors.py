"""Reads of print jobs: which badges are printed, and how far a job has come."""

from django.db.models import Exists, OuterRef
from django.utils.translation import ngettext

from ..enums import PrintJobStatus
from ..models import PrintJob, PrintJobItem


def printed_badge_exists() -> Exists:
    """For ``Registration`` querysets: the registration's badge is in a DONE print job."""
    return Exists(PrintJobItem.objects.filter(registration=OuterRef("pk"), job__status=PrintJobStatus.DONE))


def print_job_progress_text(*, job: PrintJob) -> str:
    """ "37 of 200 badges", as the progress page says it."""
    done = job.total if job.status == PrintJobStatus.DONE else min(job.done, job.total)
    return ngettext("%(done)d of %(total)d badge", "%(done)d of %(total)d badges", job.total) % {
        "done": done,
        "total": job.total,
    }
