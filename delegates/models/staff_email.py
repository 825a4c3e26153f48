"""An email staff write to delegates (``delegates.mail.staff_emails``): its words, who it goes to
(a selection of registrations or a filter of a forum's), and — once sent — who sent it, when, and to
how many. Each recipient's copy is an outbox row (``EmailOutbox.staff_email``), unique per email and
registration."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Forum


class StaffEmail(models.Model):
    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="staff_emails", verbose_name=_("forum")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=20000)
    # Who it goes to: the registrations of a selection (their ids), or else those ``criteria`` match
    # (``mail.selectors.staff_email_recipients``); ``description`` says it in words for staff.
    registration_ids = models.JSONField(null=True, blank=True, editable=False)
    criteria = models.JSONField(default=dict, blank=True, editable=False)
    description = models.CharField(_("recipients"), max_length=500, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_emails_written",
        verbose_name=_("written by"),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="staff_emails_sent",
        null=True,
        blank=True,
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    recipient_count = models.PositiveIntegerField(_("recipients"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("email to delegates")
        verbose_name_plural = _("emails to delegates")
        constraints = [
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(sent_by__isnull=False, recipient_count__isnull=False),
                name="staffemail_sent_has_sender_and_count",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None
