"""The approval digest: staff are emailed, per forum, the registrations submitted since the last digest
that are still waiting for their approval — hourly or daily, as the forum's ``approval_digest`` says.

Beat runs ``approval_digest_sweep`` every few minutes; a forum's digest covers the period that ended at
the last full hour (or local midnight, for a daily one, in the forum's time zone). The period is
recorded (``ApprovalDigest``, unique per forum and period) in the same transaction as the emails are
written to the outbox, so two beat runs at once, or a run repeated, send it once; a period with
nothing new sends nothing. The emails name the delegates (reference, name, category, when they
registered) and no contact details.
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext_noop

from events.enums import DigestFrequency
from events.formatting import local_datetime, tz_label
from events.models import Forum

from ..enums import RegistrationStatus
from ..models import ApprovalDigest, Registration
from ..permissions import CHANGE_REGISTRATION
from ..staff.selectors import staff_may_work_on
from .outbox import outbox_digest_queue
from .rendering import absolute_url, email_render_text

logger = logging.getLogger(__name__)

SUBJECT = gettext_noop("{count} registrations waiting for approval: {forum}")
SUBJECT_ONE = gettext_noop("1 registration waiting for approval: {forum}")

__all__ = ["approval_digest_recipients", "approval_digest_send", "approval_digest_sweep", "digest_period_end"]


def digest_period_end(*, forum: Forum, now: dt.datetime) -> dt.datetime:
    """The end of the latest full period of the forum's digest: the last full hour, or the last local
    midnight (forum's time zone) for a daily digest."""
    local = now.astimezone(forum.tz).replace(minute=0, second=0, microsecond=0)
    if forum.approval_digest == DigestFrequency.DAILY:
        local = local.replace(hour=0)
    return local.astimezone(dt.UTC)


def approval_digest_recipients(*, forum: Forum) -> list[str]:
    """The forum's own list of addresses if it has one (invalid ones left out), else the active staff
    who may change registrations and work on this forum, by address, each once, sorted."""
    listed = [part.strip() for part in forum.approval_digest_recipients.replace(",", "\n").splitlines()]
    addresses = set()
    if any(listed):
        for address in filter(None, listed):
            try:
                validate_email(address)
            except ValidationError:
                logger.warning(
                    "approval digest: an address of the list is not valid", extra={"forum": forum.pk}
                )
                continue
            addresses.add(address.lower())
        return sorted(addresses)
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    for user in staff.order_by("pk"):  # a handful of accounts: each asked as the admin asks
        if user.has_perm(CHANGE_REGISTRATION) and staff_may_work_on(user, forum.pk):
            addresses.add(user.email.lower())
    return sorted(addresses)


def _pending_url(forum: Forum) -> str:
    query = urlencode({"forum__id__exact": forum.pk, "status__exact": RegistrationStatus.PENDING})
    return absolute_url(reverse("admin:delegates_registration_changelist")) + "?" + query


def _render(*, forum: Forum, registrations: list[Registration], to: str) -> tuple[str, str, str]:
    with translation.override(settings.LANGUAGE_CODE), timezone.override(forum.tz):
        count = len(registrations)
        template = SUBJECT_ONE if count == 1 else SUBJECT
        subject = translation.gettext(template).format(count=count, forum=forum.name)
        context = {
            "subject": subject,
            "forum": forum,
            "count": count,
            "rows": [
                {
                    "reference": registration.reference,
                    "name": registration.display_name,
                    "category": registration.category.name,
                    "submitted": local_datetime(registration.created_at, forum, style="short"),
                }
                for registration in registrations
            ],
            "tz_label": tz_label(forum),
            "pending_url": _pending_url(forum),
            "to": to,
            "cc": "",
            "contact_email": forum.contact_email,
            "contact_phone": forum.secretariat_phone,
        }
        text = email_render_text("delegates/email/digest.txt", context)
        html = render_to_string("delegates/email/digest.html", context)
    return subject, text, html


def approval_digest_send(*, forum_id: int, now: dt.datetime | None = None) -> int:
    """Write the forum's digest of the period that has just ended, if it is due: one email per
    recipient listing the registrations submitted since the last digest's period that are still
    pending. Records the period first (unique per forum: a second run for it, at once or later, does
    nothing), in one transaction with the emails (sent after commit). Returns how many emails it
    queued (0: off, already sent, nothing new, or nobody to tell)."""
    forum = Forum.objects.filter(pk=forum_id).first()
    if forum is None or forum.approval_digest == DigestFrequency.OFF:
        return 0
    period_end = digest_period_end(forum=forum, now=now or timezone.now())
    with transaction.atomic():
        previous = (
            ApprovalDigest.objects.filter(forum=forum, period_end__lt=period_end)
            .order_by("-period_end")
            .values_list("period_end", flat=True)
            .first()
        )
        pending = Registration.objects.filter(
            forum=forum, status=RegistrationStatus.PENDING, created_at__lt=period_end
        ).select_related("category")
        if previous is not None:
            pending = pending.filter(created_at__gte=previous)
        registrations = list(pending.order_by("created_at", "id"))
        try:
            with transaction.atomic():
                # The database's word on "once per period": a concurrent run waits here for ours to
                # commit, then finds the period taken.
                ApprovalDigest.objects.create(
                    forum=forum, period_end=period_end, registrations=len(registrations)
                )
        except IntegrityError:
            return 0
        if not registrations:
            return 0
        recipients = approval_digest_recipients(forum=forum)
        for address in recipients:
            subject, text, html = _render(forum=forum, registrations=registrations, to=address)
            outbox_digest_queue(
                key=f"digest:{forum.pk}:{int(period_end.timestamp())}:{address}",
                to=address,
                subject=subject,
                body_text=text,
                body_html=html,
            )
    logger.info("approval digest queued", extra={"forum": forum.pk, "emails": len(recipients)})
    return len(recipients)


def approval_digest_sweep(*, now: dt.datetime | None = None) -> int:
    """Periodic (beat): write the digest of every forum that has one and is due. Returns the number of
    emails queued."""
    forum_ids = Forum.objects.exclude(approval_digest=DigestFrequency.OFF).values_list("pk", flat=True)
    return sum(approval_digest_send(forum_id=forum_id, now=now) for forum_id in forum_ids)
