"""Staff views of a badge print job: its progress (JSON, polled by the progress page), the PDF download
and the restart. Mounted under the admin by ``PrintJobAdmin.get_urls``, behind
``permissions.staff_view``: seeing a job takes ``VIEW_PRINT_JOB``, restarting it ``PRINT_BADGES`` too.
"""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from events.formatting import local_datetime

from ..enums import PrintJobStatus
from ..models import PrintJob
from ..permissions import PRINT_BADGES, VIEW_PRINT_JOB, staff_view
from ..staff.selectors import staff_object_or_404
from .selectors import print_job_progress_text
from .services import PrintJobError, print_job_can_restart, print_job_restart


def _job(request: HttpRequest, object_id: str) -> PrintJob:
    queryset = PrintJob.objects.select_related("forum", "created_by")
    return staff_object_or_404(queryset, object_id, user=request.user)


def download_url(job: PrintJob) -> str | None:
    """Only a DONE job offers its file: a partial PDF never leaves the worker."""
    if job.status == PrintJobStatus.DONE and job.file:
        return reverse("admin:delegates_printjob_download", args=[job.pk])
    return None


def progress_payload(job: PrintJob) -> dict:
    finished = job.status in (PrintJobStatus.DONE, PrintJobStatus.FAILED)
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "done": job.total if job.status == PrintJobStatus.DONE else min(job.done, job.total),
        "total": job.total,
        "percent": job.progress_percent,
        "text": print_job_progress_text(job=job),
        "finished": finished,
        "download_url": download_url(job),
        "error": job.error if job.status == PrintJobStatus.FAILED else "",
        "can_restart": print_job_can_restart(job=job),
        # In the forum's zone, labelled; "" until the job has finished.
        "finished_at": local_datetime(job.finished_at, job.forum) if finished and job.finished_at else "",
    }


@never_cache
@require_GET
@staff_view(VIEW_PRINT_JOB)
def print_job_progress(request: HttpRequest, object_id: str) -> HttpResponse:
    job = _job(request, object_id)
    return JsonResponse(progress_payload(job))


@never_cache
@require_GET
@staff_view(VIEW_PRINT_JOB)
def print_job_download(request: HttpRequest, object_id: str) -> HttpResponse:
    job = _job(request, object_id)
    if download_url(job) is None:
        raise Http404("This print job has no PDF yet")
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=f"badges-{job.forum.slug}-{job.pk}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@never_cache
@require_POST
@staff_view(VIEW_PRINT_JOB, PRINT_BADGES)
def print_job_restart_view(request: HttpRequest, object_id: str) -> HttpResponse:
    """POST (CSRF-protected) from the progress page; back to the progress page with a message."""
    job = _job(request, object_id)
    try:
        restarted = print_job_restart(job=job, actor=request.user)
    except PrintJobError as error:
        messages.warning(request, str(error))
        restarted = job
    else:
        if restarted.pk == job.pk:
            messages.success(request, _("The print job was restarted."))
        else:
            messages.info(request, _("The same badges are already being printed by this job."))
    return HttpResponseRedirect(reverse("admin:delegates_printjob_change", args=[restarted.pk]))
