"""The email outbox: one row per email we mean to send (written by ``delegates.mail``)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..enums import EmailKind, OutboxStatus
from .registration import Registration
from .staff_email import StaffEmail


class EmailOutbox(models.Model):
    """One row per email we mean to send. The unique key makes sending idempotent: a retried or
    duplicated task finds the row already SENT and does nothing."""

    key = models.CharField(max_length=200, unique=True)
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    # An invitation's email (no registration yet): written when it is queued, with the personal link,
    # which is taken out of the stored copy once it has been sent (``outbox.outbox_send``).
    invitation = models.ForeignKey(
        "delegates.Invitation", on_delete=models.CASCADE, null=True, blank=True, related_name="emails"
    )
    kind = models.CharField(max_length=16, choices=EmailKind)
    # The email staff wrote, of which this row is one recipient's copy (``mail.staff_emails``).
    staff_email = models.ForeignKey(
        StaffEmail, on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_rows"
    )
    to = models.EmailField(max_length=254)
    cc = models.CharField(max_length=600, blank=True)
    # A registration's email is written by the worker when it first sends the row (empty until then),
    # then kept as sent; an account email is written when it is queued.
    reason = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=OutboxStatus, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    # The Message-ID header, made at the first attempt and sent with every attempt: a copy sent twice
    # (a worker that died between the relay's answer and recording it) is the same message to the
    # receiving servers and to us.
    message_id = models.CharField(max_length=255, blank=True, editable=False)
    # An attempt is recorded (SENDING) before the relay is spoken to: who makes it (the task's id) and
    # until when it is theirs; a SENDING row past that time was left by a worker that died, and the
    # sweep hands it to another.
    claimed_by = models.CharField(max_length=64, blank=True, editable=False)
    sending_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(max_length=500, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("Why it was not sent."))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="emailoutbox_unique_message_id"
            ),
            # A staff email reaches each registration once, however often "Send" is pressed.
            models.UniqueConstraint(
                fields=["staff_email", "registration"],
                condition=Q(staff_email__isnull=False),
                name="emailoutbox_staff_email_once_per_registration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ApprovalDigest(models.Model):
    """One approval digest of a forum: the period that ended at ``period_end`` has been reported (its
    emails are in the outbox). Unique per forum and period, so two beat runs at once send it once; the
    next digest reports what was submitted since the latest ``period_end``."""

    forum = models.ForeignKey("events.Forum", on_delete=models.CASCADE, related_name="approval_digests")
    period_end = models.DateTimeField()
    registrations = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["forum", "period_end"], name="approval_digest_once_per_period")
        ]
        ordering = ["forum", "-period_end"]

    def __str__(self) -> str:
        return f"{self.forum_id} {self.period_end.isoformat()}"
