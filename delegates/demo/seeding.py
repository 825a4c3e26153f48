"""Loading the delegates' demo: each demo forum's categories, then its registrations replayed day by day
through the registration services (so seats, waitlists, history and the outbox are what the product
itself makes of them), then the first badges printed through a real print job.

- Idempotent, by natural keys: a category by its slug in the forum, a registration by the delegate's
  email in the forum, the print job by the forum having one. What exists is left exactly as it is —
  also what staff did with it while exploring the demo; only what is missing is made again.
- Lived-in: the services stamp what they write with the present moment; the timeline is replayed at
  the moments it describes instead (see ``moment``), so the admin shows registrations arriving over
  the weeks registration has been open, approvals a few days later, and the history in that order.
- Quiet: the delegates are fictional, so their emails are written (staff can read each in the outbox)
  and marked not sent; nothing is handed to the worker while the demo loads (no emails, no badge
  renders; the demo prints its badges itself, and other badges are rendered when downloaded).
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Max
from phonenumber_field.phonenumber import PhoneNumber

from events.models import Forum, Session

from .. import background
from ..enums import OutboxStatus, PrintJobStatus, RegistrationStatus
from ..invitations.services import Invitee, invitation_create, invitation_revoke
from ..mail.outbox import outbox_skip
from ..models import (
    DelegateCategory,
    EmailOutbox,
    Invitation,
    PrintJob,
    Registration,
    SessionSignup,
    StatusChange,
)
from ..printing.runner import print_job_run
from ..printing.services import print_job_start
from ..registration.services import (
    registration_approve,
    registration_cancel,
    registration_reject,
    registration_submit,
)
from .amf_2027 import AMF_2027
from .pre_amf_2022 import PRE_AMF_2022
from .shapes import TIMELINE_DAYS, Approve, Cancel, DemoDelegate, DemoForumDelegates, PrintBadges, Reject

logger = logging.getLogger(__name__)

DEMO_FORUMS = {demo.forum_slug: demo for demo in (PRE_AMF_2022, AMF_2027)}

# Stored on each demo email (the outbox's note): why it was never sent.
EMAIL_NOTE = "Demo data: the delegate is fictional, so this email was written but never sent."


@dataclass
class DelegatesSeedResult:
    categories: int = 0  # created
    registrations: int = 0
    print_jobs: int = 0
    invitations: int = 0
    unchanged: int = 0
    emails_not_sent: int = 0

    @property
    def created(self) -> int:
        return self.categories + self.registrations + self.print_jobs + self.invitations


def _invitations(
    forum: Forum, demo: DemoForumDelegates, categories: dict, result: DelegatesSeedResult
) -> None:
    """The demo's invitations, through the invitation services (their emails written, not sent); an
    address invited before, whatever became of its invitation, is left as it is. Returns how many it
    made."""
    if not demo.invitees:
        return 0
    present = set(
        Invitation.objects.filter(forum=forum, email__in=[i.email for i in demo.invitees]).values_list(
            "email", flat=True
        )
    )
    result.unchanged += len(present)
    made = 0
    for item in demo.invitees:
        if item.email in present:
            continue
        invitation = invitation_create(
            forum=forum,
            invitee=Invitee(
                category=categories[item.category],
                name=item.name,
                email=item.email,
                position=item.position,
                city=item.city,
                country=item.country,
            ),
            actor=None,
        )
        if item.revoked:
            invitation_revoke(invitation=invitation, actor=None)
        result.invitations += 1
        made += 1
    return made


def moment(*, forum: Forum, day: float, now: dt.datetime) -> dt.datetime | None:
    """When ``day`` of a timeline happens: the timeline's TIMELINE_DAYS are stretched over the time
    registration has been open (from its opening until now, or until it closed). None when registration
    has not opened yet."""
    opens = forum.registration_opens_at
    if opens is None:
        return None
    until = min(now, forum.registration_closes_at) if forum.registration_closes_at else now
    if until <= opens:
        return None
    return opens + (until - opens) * (day / TIMELINE_DAYS)


def _categories(forum: Forum, demo: DemoForumDelegates, result: DelegatesSeedResult) -> dict:
    existing = {category.slug: category for category in DelegateCategory.objects.filter(forum=forum)}
    missing = []
    for item in demo.categories:
        if item.slug in existing:
            result.unchanged += 1
            continue
        category = DelegateCategory(
            forum=forum,
            slug=item.slug,
            name=item.name,
            capacity=item.capacity,
            requires_approval=item.requires_approval,
            protocol_rank=item.protocol_rank,
            badge_colour=item.badge_colour,
            is_public=item.is_public,
            heads_of_local_government=item.heads_of_local_government,
            by_invitation=item.by_invitation,
        )
        category.full_clean()
        missing.append(category)
    for category in DelegateCategory.objects.bulk_create(missing):
        existing[category.slug] = category
    result.categories += len(missing)
    return existing


def _registration_data(forum: Forum, person: DemoDelegate) -> dict:
    """What the registration form would hand to the service for ``person``."""
    lang, native = person.native or ("", "")
    data = {
        "email": person.email,
        "honorific": person.honorific,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "badge_name": person.badge_name,
        "native_name": native,
        "native_name_lang": lang,
        "position": person.position,
        "organisation": person.organisation,
        "city": person.city,
        "country": person.country,
        "phone": PhoneNumber.from_string(person.phone) if person.phone else "",
        "dietary": person.dietary,
        "dietary_other": person.dietary_other,
        "allergies": person.allergies,
        "accessibility_needs": person.accessibility_needs,
        "accompanying_persons": person.accompanying_persons,
        "media_consent": person.media_consent,
    }
    travel = person.travel
    if travel is not None:
        for prefix, flight in (("arrival", travel.arrival), ("departure", travel.departure)):
            if flight is not None:
                data[f"{prefix}_date"] = forum.start_date + dt.timedelta(days=flight.day)
                data[f"{prefix}_time"] = dt.time.fromisoformat(flight.time)
                data[f"{prefix}_flight"] = flight.number
        data["needs_airport_transfer"] = travel.airport_transfer
        data["hotel"] = travel.hotel
        data["needs_visa_letter"] = travel.visa_letter
    return data


# Rows the services stamp with the present moment, and the column they stamp.
_STAMPED = ((StatusChange, "at"), (SessionSignup, "created_at"), (EmailOutbox, "created_at"))


def _marks() -> dict[type[models.Model], int]:
    return {model: model.objects.aggregate(last=Max("id"))["last"] or 0 for model, _ in _STAMPED}


def _stamp(marks: dict[type[models.Model], int], when: dt.datetime) -> None:
    """Give the rows written since ``marks`` the moment of the timeline they belong to."""
    for model, column in _STAMPED:
        model.objects.filter(id__gt=marks[model]).update(**{column: when})


def _replay(
    forum: Forum,
    demo: DemoForumDelegates,
    categories: dict[str, DelegateCategory],
    missing: list[DemoDelegate],
    print_jobs: list[PrintBadges],
    now: dt.datetime,
) -> list[Registration]:
    """Submit the missing delegates' registrations, what happened to them and the print jobs, in the
    order of the timeline, each at its moment. Returns the registrations made."""
    events: list[tuple[float, object, DemoDelegate | None]] = []
    for person in missing:
        events.append((person.day, "submit", person))
        events.extend((action.day, action, person) for action in person.then)
    events.extend((job.day, job, None) for job in print_jobs)
    events.sort(key=lambda event: event[0])  # stable: same-day events keep their written order

    wanted = {slug for person in missing for slug in person.signups}
    sessions = dict(Session.objects.filter(forum=forum, slug__in=wanted).values_list("slug", "id"))
    demo_emails = [person.email for person in demo.delegates]
    registrations: dict[str, Registration] = {}
    for day, event, person in events:
        when = moment(forum=forum, day=day, now=now)
        marks = _marks()
        if event == "submit":
            registration = registration_submit(
                forum=forum,
                category=categories[person.category],
                data=_registration_data(forum, person),
                session_ids=[sessions[slug] for slug in person.signups],
                registered_by=None,  # keyed in by the secretariat
                now=when,
            )
            Registration.objects.filter(pk=registration.pk).update(created_at=when)
            registrations[person.email] = registration
        elif isinstance(event, Approve):
            registration_approve(registration=registrations[person.email], actor=None)
        elif isinstance(event, Reject):
            registration_reject(registration=registrations[person.email], actor=None, reason=event.reason)
        elif isinstance(event, Cancel):
            registration_cancel(registration=registrations[person.email], actor=None, reason=event.reason)
        elif isinstance(event, PrintBadges):
            _print(forum, categories[event.category], event, demo_emails, when)
        _stamp(marks, when)
    return list(registrations.values())


def _print(
    forum: Forum, category: DelegateCategory, job: PrintBadges, emails: list[str], when: dt.datetime
) -> None:
    """Start the print job as an organiser does and run it here, as the worker would: the PDF is real,
    and its badges count as printed."""
    selected = Registration.objects.filter(
        forum=forum, category=category, status=RegistrationStatus.CONFIRMED, email__in=emails
    )
    started = print_job_start(forum=forum, registrations=selected, order=job.order, actor=None)
    print_job_run(job_id=started.pk)
    done = PrintJob.objects.get(pk=started.pk)
    if done.status != PrintJobStatus.DONE:
        logger.warning("demo print job not done", extra={"print_job": done.pk, "error": done.error})
    took = (done.finished_at - done.started_at) if done.finished_at and done.started_at else dt.timedelta()
    PrintJob.objects.filter(pk=done.pk).update(
        created_at=when, started_at=when, finished_at=when + took if done.finished_at else None
    )


@transaction.atomic
def delegates_demo_seed(*, forums: Iterable[Forum], now: dt.datetime) -> DelegatesSeedResult:
    """Create what is missing of the delegates' demo of ``forums`` (those with demo delegates), in one
    transaction: categories, registrations through the registration services (replayed at the moments
    of their timeline, see ``moment``), the first print job (rendered here). Their emails are written
    and marked not sent (``outbox_skip``); nothing is enqueued for the worker. A second run finds
    everything by its natural key and changes nothing."""
    result = DelegatesSeedResult()
    with background.enqueue_held_back(why="demo data"):
        for forum in forums:
            demo = DEMO_FORUMS.get(forum.slug)
            if demo is None:
                continue
            categories = _categories(forum, demo, result)
            if _invitations(forum, demo, categories, result):
                unsent_invitations = EmailOutbox.objects.filter(
                    invitation__forum=forum, status=OutboxStatus.PENDING
                ).values_list("id", flat=True)
                result.emails_not_sent += outbox_skip(outbox_ids=list(unsent_invitations), note=EMAIL_NOTE)
            emails = [person.email for person in demo.delegates]
            present = set(
                Registration.objects.filter(forum=forum, email__in=emails).values_list("email", flat=True)
            )
            missing = [person for person in demo.delegates if person.email not in present]
            print_jobs = [] if PrintJob.objects.filter(forum=forum).exists() else demo.print_jobs
            result.unchanged += len(present) + (len(demo.print_jobs) - len(print_jobs))
            if not (missing or print_jobs) or moment(forum=forum, day=0, now=now) is None:
                continue  # nothing to make, or registration has not opened yet
            made = _replay(forum, demo, categories, missing, print_jobs, now)
            result.registrations += len(made)
            result.print_jobs += len(print_jobs)
            unsent = EmailOutbox.objects.filter(
                registration__forum=forum, registration__email__in=emails, status=OutboxStatus.PENDING
            ).values_list("id", flat=True)
            result.emails_not_sent += outbox_skip(outbox_ids=list(unsent), note=EMAIL_NOTE)
    return result
