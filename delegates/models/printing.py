"""Badge print jobs and the badges each printed (written by ``delegates.printing``)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.enums import BadgeLayout
from events.models import Forum

from ..enums import BadgeOrder, PrintJobStatus
from .registration import Registration


class PrintJob(models.Model):
    """A batch of badges rendered into one PDF in the background, for organisers to print.

    Moves QUEUED → RUNNING → DONE or FAILED; a RUNNING job whose worker is gone (late heartbeat) goes
    back to QUEUED for another worker. Its items record which badges it printed, so "not yet
    printed" and reprints are tracked. Only one active job per selection (``dedupe_key``): two organisers
    starting the same job at once get the same job."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="print_jobs", verbose_name=_("forum")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    layout = models.CharField(_("layout"), max_length=16, choices=BadgeLayout)
    order = models.CharField(_("order"), max_length=24, choices=BadgeOrder, default=BadgeOrder.CATEGORY_NAME)
    dedupe_key = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=16, choices=PrintJobStatus, default=PrintJobStatus.QUEUED, db_index=True
    )
    total = models.PositiveIntegerField(_("badges"), default=0)
    done = models.PositiveIntegerField(_("rendered"), default=0)
    file = models.FileField(_("PDF"), upload_to="print-jobs/", blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written by the running job every few seconds (PRINT_JOB_HEARTBEAT_SECONDS): a RUNNING job whose
    # heartbeat is late (PRINT_JOB_STALE_SECONDS) lost its worker, and the sweep hands it to another.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    runner = models.CharField(_("worker"), max_length=200, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("badge print job")
        verbose_name_plural = _("badge print jobs")
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running"]),
                name="printjob_one_active_per_selection",
            )
        ]

    def __str__(self) -> str:
        return f"{self.forum} — {self.total} badges ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if self.status == PrintJobStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0


class PrintJobItem(models.Model):
    """One badge of a print job. ``printed_fingerprint`` is the fingerprint of what it printed
    (``badges.content.badge_fingerprint``), written when the job renders it: a registration whose
    fingerprint differs now has a printed badge that is out of date and needs a reprint."""

    job = models.ForeignKey(PrintJob, on_delete=models.CASCADE, related_name="items")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="print_items")
    position = models.PositiveIntegerField()
    printed_fingerprint = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "registration"], name="printjobitem_unique_registration"),
            models.UniqueConstraint(fields=["job", "position"], name="printjobitem_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id} #{self.position}: {self.registration_id}"
