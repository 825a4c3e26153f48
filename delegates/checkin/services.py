"""Check-in at the door: keeping a forum's lists, a scan, the merge of offline queues, and undoing a
mistaken check-in.

- **One check-in per delegate and list.** The partial unique constraint
  ``checkin_one_per_list_and_delegate`` decides: the check-ins of a scan or a queue are inserted with
  ``ON CONFLICT DO NOTHING`` (in registration order, so two writers never wait on each other in a
  circle), then the rows that count are read under their row lock. Two devices scanning one badge at
  the same instant write one row; the second is told "already checked in".
- **The earliest scan wins.** An offline queue may bring a scan made before the check-in that counts
  (another device, online, was quicker to tell the server): the check-in then takes the earlier scan's
  time, device and member of staff, and the scans that counted before become repeats.
- **Idempotent.** Every scan carries a key its device made; a key seen before gets the answer it got
  then and records nothing (the scan is kept once, under the unique key).
- **Fast.** A scan is a bounded handful of queries; a queue of any length is the same handful, in
  bulk (lookups by ``IN``, one insert per table, one update), not a query per scan.
"""

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Sequence

from django.apps import apps as global_apps
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from events.models import Forum

from ..enums import CheckInListKind, CheckInVerdict
from ..models import CheckIn, CheckInList, CheckInScan, Registration
from ..staff.history import history_record
from .selectors import DISPLAY_COLUMNS, confirmed_for_session, token_hash
from .verdicts import refusal_of, staff_display_name

logger = logging.getLogger(__name__)

MAX_SYNC_SCANS = 1000
MAX_TOKEN_LENGTH = 64
# A device's clock may run ahead a little; a scan "from the future" beyond this counts as made now.
CLOCK_TOLERANCE = dt.timedelta(minutes=5)


class CheckInError(Exception):
    """A rule stops this action; ``str(error)`` is a friendly, translated message."""


# --- Lists ---------------------------------------------------------------------------------------------


def day_list_name(day: dt.date) -> str:
    """ "Entry — Thursday 6 October", in the site's language (stored: the list keeps its name)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Entry — %(day)s") % {
            "day": date_format(day, pgettext("date format: weekday day month", "l j F"))
        }


def checkin_lists_sync(*, forum: Forum, apps=None) -> None:
    """Give ``forum`` its automatic check-in lists: one entry list per day of the forum and one list per
    session that needs sign-up or has a capacity of its own; a session's list follows its title. A
    list no longer wanted (a day outside the forum's new dates, a session without sign-up or capacity
    now) is removed if nobody was checked in on it, else kept with its check-ins. Lists staff added
    are left alone. Idempotent, and safe against a concurrent call (the unique constraints decide; the
    loser's insert does nothing). A migration passes its historical ``apps``."""
    apps = apps or global_apps
    List = apps.get_model("delegates", "CheckInList")
    Session = apps.get_model("events", "Session")
    CheckInModel = apps.get_model("delegates", "CheckIn")
    days = [
        forum.start_date + dt.timedelta(days=n) for n in range((forum.end_date - forum.start_date).days + 1)
    ]
    sessions = list(
        Session.objects.filter(forum_id=forum.pk)
        .filter(Q(requires_signup=True) | Q(capacity__isnull=False))
        .order_by("starts_at", "id")
    )
    existing = list(
        List.objects.filter(forum_id=forum.pk, kind__in=[CheckInListKind.DAY, CheckInListKind.SESSION])
    )
    by_day = {row.day: row for row in existing if row.kind == CheckInListKind.DAY}
    by_session = {row.session_id: row for row in existing if row.kind == CheckInListKind.SESSION}
    new = [
        List(forum_id=forum.pk, kind=CheckInListKind.DAY, day=day, name=day_list_name(day))
        for day in days
        if day not in by_day
    ]
    new += [
        List(forum_id=forum.pk, kind=CheckInListKind.SESSION, session_id=session.pk, name=session.title[:200])
        for session in sessions
        if session.pk not in by_session
    ]
    if new:
        List.objects.bulk_create(new, ignore_conflicts=True)
    for session in sessions:
        row = by_session.get(session.pk)
        if row is not None and row.name != session.title[:200]:
            List.objects.filter(pk=row.pk).update(name=session.title[:200])
    for row in by_day.values():
        if row.day not in days:
            row.name = day_list_name(row.day)
    unwanted = [row.pk for row in by_day.values() if row.day not in days]
    unwanted += [row.pk for row in by_session.values() if row.session_id not in {s.pk for s in sessions}]
    if unwanted:
        used = set(CheckInModel.objects.filter(list_id__in=unwanted).values_list("list_id", flat=True))
        List.objects.filter(pk__in=[pk for pk in unwanted if pk not in used]).delete()


# --- Scans ---------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Scan:
    """One scan as a device sends it: the QR code's text (``token``) or a reference from the search."""

    idempotency_key: uuid.UUID
    token: str = ""
    reference: str = ""
    scanned_at: dt.datetime | None = None


@dataclasses.dataclass
class ScanAnswer:
    """What the server says of a scan: ``registration`` (with its category) is None for an unknown
    code; ``check_in`` is the check-in that counts for a green or amber verdict."""

    idempotency_key: uuid.UUID
    verdict: str
    reason: str | None
    registration: Registration | None
    check_in: CheckIn | None
    replay: bool = False


def normalise_reference(text: str) -> str:
    """ "7k2q 9mxp", "7K2Q9MXP" → "7K2Q-9MXP"."""
    compact = "".join(text.split()).upper().replace("-", "")
    return f"{compact[:4]}-{compact[4:]}" if len(compact) == 8 else compact[:9]


def _answer_from_scan(row: CheckInScan) -> ScanAnswer:
    return ScanAnswer(
        idempotency_key=row.idempotency_key,
        verdict=row.verdict,
        reason=row.reason or None,
        registration=row.registration,
        check_in=row.check_in,
        replay=True,
    )


def _replays(keys: Sequence[uuid.UUID]) -> dict[uuid.UUID, ScanAnswer]:
    """The answers already given to any of ``keys`` (one query)."""
    if not keys:
        return {}
    rows = CheckInScan.objects.filter(idempotency_key__in=list(keys)).select_related(
        "registration__category", "check_in__staff"
    )
    return {row.idempotency_key: _answer_from_scan(row) for row in rows}


def _door_registrations():
    return Registration.objects.select_related("category").only(*DISPLAY_COLUMNS)


def _resolve(scans: Sequence[Scan]) -> list[tuple[Registration | None, bool]]:
    """Each scan's registration (any forum's, the caller says "another forum") and whether its code is
    a retired one: by current code, reference, then retired code — three queries at most for any
    number of scans."""
    tokens = {scan.token for scan in scans if scan.token and len(scan.token) <= MAX_TOKEN_LENGTH}
    references = {normalise_reference(scan.reference) for scan in scans if scan.reference and not scan.token}
    by_token = (
        {r.checkin_token: r for r in _door_registrations().filter(checkin_token__in=tokens)} if tokens else {}
    )
    by_reference = (
        {r.reference: r for r in _door_registrations().filter(reference__in=references)} if references else {}
    )
    missing = {token_hash(token): token for token in tokens if token not in by_token}
    by_retired: dict[str, Registration] = {}
    if missing:
        rows = (
            _door_registrations()
            .filter(retired_tokens__token_hash__in=list(missing))
            .annotate(retired_hash=F("retired_tokens__token_hash"))
        )
        by_retired = {missing[row.retired_hash]: row for row in rows}
    resolved = []
    for scan in scans:
        if scan.token:
            if scan.token in by_token:
                resolved.append((by_token[scan.token], False))
            else:
                resolved.append((by_retired.get(scan.token), scan.token in by_retired))
        else:
            resolved.append((by_reference.get(normalise_reference(scan.reference)), False))
    return resolved


def _scan_time(scan: Scan, now: dt.datetime) -> dt.datetime:
    moment = scan.scanned_at or now
    return now if moment > now + CLOCK_TOLERANCE else moment


def _record(
    *,
    checkin_list: CheckInList,
    scans: Sequence[Scan],
    staff: AbstractBaseUser | None,
    device: str,
    device_label: str,
    strict: bool,
) -> list[ScanAnswer]:
    """Judge and record ``scans`` (new keys, each once) on ``checkin_list``, in the caller's
    transaction: the check-ins they make or move earlier, and every scan. ``strict``: a key recorded
    meanwhile by another request raises IntegrityError (a single scan then answers as that one did);
    otherwise such a scan is not recorded twice."""
    now = timezone.now()
    resolved = _resolve(scans)
    found_ids = {registration.pk for registration, _retired in resolved if registration is not None}
    signed_up = confirmed_for_session(checkin_list=checkin_list, registration_ids=found_ids)
    answers: list[ScanAnswer] = []
    admitted: dict[int, list[int]] = {}  # registration id → indexes of its admitted scans
    for index, (scan, (registration, retired)) in enumerate(zip(scans, resolved, strict=True)):
        reason = refusal_of(
            checkin_list=checkin_list,
            registration=registration,
            signed_up=registration is not None and registration.pk in signed_up,
            retired=retired,
        )
        answers.append(
            ScanAnswer(
                idempotency_key=scan.idempotency_key,
                verdict=CheckInVerdict.REFUSED if reason else CheckInVerdict.ALREADY,
                reason=reason,
                registration=registration,
                check_in=None,
            )
        )
        if reason is None:
            admitted.setdefault(registration.pk, []).append(index)
    # Per delegate, the earliest of its scans (the first sent among equal times) is the one that may count.
    earliest = {
        registration_id: min(indexes, key=lambda i: (_scan_time(scans[i], now), i))
        for registration_id, indexes in admitted.items()
    }
    if earliest:
        mine = {registration_id: uuid.uuid4() for registration_id in earliest}
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    public_id=mine[registration_id],
                    list=checkin_list,
                    registration_id=registration_id,
                    checked_in_at=_scan_time(scans[earliest[registration_id]], now),
                    recorded_at=now,
                    updated_at=now,
                    device=device,
                    device_label=device_label,
                    staff=staff,
                )
                for registration_id in sorted(earliest)
            ],
            ignore_conflicts=True,
        )
        counting = {
            row.registration_id: row
            for row in CheckIn.objects.select_for_update(of=("self",))
            .select_related("staff")
            .filter(list=checkin_list, registration_id__in=list(earliest), undone_at__isnull=True)
            .order_by("registration_id")
        }
        moved = []
        for registration_id, index in earliest.items():
            row = counting[registration_id]
            moment = _scan_time(scans[index], now)
            if row.public_id == mine[registration_id]:
                answers[index].verdict = CheckInVerdict.CHECKED_IN
            elif moment < row.checked_in_at:
                # An earlier scan arrives late (an offline queue): it takes over the time, device and staff.
                row.checked_in_at, row.device, row.device_label, row.staff = (
                    moment,
                    device,
                    device_label,
                    staff,
                )
                row.updated_at = now
                moved.append(row)
                answers[index].verdict = CheckInVerdict.CHECKED_IN
            for i in admitted[registration_id]:
                answers[i].check_in = row
        if moved:
            CheckIn.objects.bulk_update(
                moved, ["checked_in_at", "device", "device_label", "staff", "updated_at"]
            )
            CheckInScan.objects.filter(check_in__in=moved, verdict=CheckInVerdict.CHECKED_IN).update(
                verdict=CheckInVerdict.ALREADY
            )
    rows = [
        CheckInScan(
            idempotency_key=answer.idempotency_key,
            list=checkin_list,
            registration=answer.registration,
            verdict=answer.verdict,
            reason=answer.reason or "",
            scanned_at=_scan_time(scan, now),
            received_at=now,
            device=device,
            device_label=device_label,
            staff=staff,
            check_in=answer.check_in,
        )
        for scan, answer in zip(scans, answers, strict=True)
    ]
    if strict:
        CheckInScan.objects.bulk_create(rows)
    else:
        CheckInScan.objects.bulk_create(rows, ignore_conflicts=True)
    return answers


def _clean_device(device: str, device_label: str) -> tuple[str, str]:
    return (device or "").strip()[:64], (device_label or "").strip()[:100]


def checkin_scan(
    *,
    checkin_list: CheckInList,
    scan: Scan,
    staff: AbstractBaseUser | None,
    device: str = "",
    device_label: str = "",
) -> ScanAnswer:
    """A badge scanned (or a delegate chosen from the search) at the door of ``checkin_list``: checks
    the delegate in if the list admits them and they are not checked in yet, and records the scan.
    A key seen before answers as it did then and records nothing. A bounded number of queries (a
    dozen at most, whatever the list's size)."""
    device, device_label = _clean_device(device, device_label)
    replay = _replays([scan.idempotency_key]).get(scan.idempotency_key)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            answer = _record(
                checkin_list=checkin_list,
                scans=[scan],
                staff=staff,
                device=device,
                device_label=device_label,
                strict=True,
            )[0]
    except IntegrityError:
        # The same key arrived twice at once (a device retrying): the other request's answer stands.
        replay = _replays([scan.idempotency_key]).get(scan.idempotency_key)
        if replay is None:
            raise
        return replay
    logger.info(
        "check-in scan",
        extra={"checkin_list": checkin_list.pk, "verdict": answer.verdict, "reason": answer.reason},
    )
    return answer


@transaction.atomic
def checkin_sync(
    *,
    checkin_list: CheckInList,
    scans: Sequence[Scan],
    staff: AbstractBaseUser | None,
    device: str = "",
    device_label: str = "",
) -> list[ScanAnswer]:
    """A device's offline queue for ``checkin_list``: every scan judged and recorded as ``checkin_scan``
    would, merged with what other devices recorded (one check-in per delegate and list, the earliest
    scan wins, the others are repeats). A key seen before — in an earlier request or earlier in this
    queue — answers as it did. Answers in the queue's order. The same handful of queries for any
    number of scans. Raises CheckInError beyond MAX_SYNC_SCANS."""
    if len(scans) > MAX_SYNC_SCANS:
        raise CheckInError(
            _("At most %(count)d scans can be sent at a time; please send the rest next.")
            % {"count": MAX_SYNC_SCANS}
        )
    device, device_label = _clean_device(device, device_label)
    replays = _replays([scan.idempotency_key for scan in scans])
    fresh: list[Scan] = []
    seen: set[uuid.UUID] = set(replays)
    for scan in scans:
        if scan.idempotency_key not in seen:
            seen.add(scan.idempotency_key)
            fresh.append(scan)
    recorded = (
        _record(
            checkin_list=checkin_list,
            scans=fresh,
            staff=staff,
            device=device,
            device_label=device_label,
            strict=False,
        )
        if fresh
        else []
    )
    by_key = {**replays, **{answer.idempotency_key: answer for answer in recorded}}
    first_time = {answer.idempotency_key for answer in recorded}
    answers = []
    for scan in scans:
        answer = by_key[scan.idempotency_key]
        if scan.idempotency_key in first_time:
            first_time.discard(
                scan.idempotency_key
            )  # a key repeated in the queue: the later ones are replays
            answers.append(answer)
        else:
            answers.append(dataclasses.replace(answer, replay=True))
    logger.info(
        "check-in queue merged",
        extra={"checkin_list": checkin_list.pk, "scans": len(scans), "new": len(recorded)},
    )
    return answers


# --- Undo ----------------------------------------------------------------------------------------------


@transaction.atomic
def checkin_undo(*, check_in: CheckIn, actor: AbstractBaseUser | None) -> CheckIn:
    """Staff undo a mistaken check-in: it no longer counts (the delegate can be checked in anew) and
    its registration's history says who undid which check-in. Takes the check-in's row lock; a
    check-in undone already is left as it is (two members of staff undoing it at once undo it once)."""
    locked = (
        CheckIn.objects.select_for_update(of=("self",))
        .select_related("list__forum", "registration", "staff")
        .get(pk=check_in.pk)
    )
    if locked.undone_at is not None:
        return locked
    now = timezone.now()
    locked.undone_at, locked.undone_by, locked.updated_at = now, actor, now
    locked.save(update_fields=["undone_at", "undone_by", "updated_at"])
    forum = locked.list.forum
    with translation.override(settings.LANGUAGE_CODE):
        local = date_format(locked.checked_in_at.astimezone(forum.tz), "j F Y, H:i")
    by = staff_display_name(locked.staff)
    # Stored in English, as the admin's own history messages are.
    message = f"Check-in undone: {locked.list.name} (checked in {local}{f' by {by}' if by else ''})."
    history_record(obj=locked.registration, actor=actor, message=message)
    logger.info("check-in undone", extra={"check_in": locked.pk, "actor": getattr(actor, "pk", None)})
    check_in.undone_at, check_in.undone_by, check_in.updated_at = locked.undone_at, actor, now
    return locked
