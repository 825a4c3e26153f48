"""Check-in at the door: the lists delegates are checked in on, the check-ins, every scan received,
and the check-in codes of lost badges (written by ``delegates.checkin``).

A list admits confirmed delegates of its forum (a session's list: those confirmed for the session
too). One check-in counts per delegate and list at a time: the database's partial unique constraint
decides between two devices scanning one badge at the same instant. Every scan is kept, repeats and
refusals included, under the idempotency key the device made for it, so a scan sent twice (a lost
answer, an offline queue sent again) is recorded once.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import Forum, Session

from ..enums import CheckInListKind, CheckInRefusal, CheckInVerdict
from .registration import Registration


class CheckInList(models.Model):
    """Who may come in where: the entry of a forum day, a session that needs sign-up or has a capacity
    of its own (``checkin.services.checkin_lists_sync`` keeps those), or a list staff added."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="checkin_lists", verbose_name=_("forum")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=CheckInListKind, default=CheckInListKind.CUSTOM)
    name = models.CharField(_("name"), max_length=200)
    day = models.DateField(_("day"), null=True, blank=True)
    session = models.ForeignKey(
        Session,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checkin_lists",
        verbose_name=_("session"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["forum", "day", "kind", "name", "id"]
        verbose_name = _("check-in list")
        verbose_name_plural = _("check-in lists")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CheckInListKind.values), name="checkinlist_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind=CheckInListKind.DAY, day__isnull=False, session__isnull=True)
                | Q(kind=CheckInListKind.SESSION, session__isnull=False)
                | Q(kind=CheckInListKind.CUSTOM, session__isnull=True),
                name="checkinlist_kind_fields",
            ),
            models.UniqueConstraint(
                fields=["forum", "day"],
                condition=Q(kind=CheckInListKind.DAY),
                name="checkinlist_one_per_forum_day",
            ),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(kind=CheckInListKind.SESSION),
                name="checkinlist_one_per_session",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CheckIn(models.Model):
    """A delegate checked in on a list: when the badge was scanned (the earliest scan of any device
    wins), by which device and member of staff; undone when staff correct a mistake."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    list = models.ForeignKey(
        CheckInList, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("list")
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("registration")
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    # When anything of the row last changed (its time taken over by an earlier scan, undone): what a
    # device's sync asks for ("changed since").
    updated_at = models.DateTimeField(_("changed at"))
    device = models.CharField(_("device"), max_length=64, blank=True)
    device_label = models.CharField(_("device name"), max_length=100, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(
                fields=["list", "registration"],
                condition=Q(undone_at__isnull=True),
                name="checkin_one_per_list_and_delegate",
            )
        ]
        indexes = [models.Index(fields=["list", "updated_at"], name="checkin_list_changed_idx")]

    def __str__(self) -> str:
        return f"{self.registration_id} @ {self.list_id} {self.checked_in_at:%Y-%m-%d %H:%M}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class CheckInScan(models.Model):
    """Every scan a device sent, under the idempotency key it made: the verdict it was given, and the
    check-in it counted for or repeated (a repeat is recorded, not counted)."""

    idempotency_key = models.UUIDField(unique=True, editable=False)
    list = models.ForeignKey(CheckInList, on_delete=models.CASCADE, related_name="scans")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="checkin_scans"
    )
    verdict = models.CharField(max_length=16, choices=CheckInVerdict)
    reason = models.CharField(max_length=16, choices=CheckInRefusal, blank=True)
    scanned_at = models.DateTimeField()
    received_at = models.DateTimeField()
    device = models.CharField(max_length=64, blank=True)
    device_label = models.CharField(max_length=100, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    check_in = models.ForeignKey(
        CheckIn, on_delete=models.SET_NULL, null=True, blank=True, related_name="scans"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("check-in scan")
        verbose_name_plural = _("check-in scans")
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__in=CheckInVerdict.values), name="checkinscan_verdict_valid"
            ),
            models.CheckConstraint(
                condition=Q(reason="") | Q(reason__in=CheckInRefusal.values), name="checkinscan_reason_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} {self.verdict}"


class RetiredCheckinToken(models.Model):
    """The check-in code of a lost badge, by its SHA-256 (the code itself is not kept): its scan says
    "old badge, code reissued" rather than "unknown code"."""

    token_hash = models.CharField(max_length=64, unique=True)
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="retired_tokens")
    retired_at = models.DateTimeField()

    class Meta:
        ordering = ["-retired_at", "-id"]
        verbose_name = _("retired check-in code")
        verbose_name_plural = _("retired check-in codes")

    def __str__(self) -> str:
        return f"{self.registration_id} {self.retired_at:%Y-%m-%d}"
