"""Reads of check-in: the lists a member of staff may work on, a delegate as the door sees them, the
offline data of a list, and the search of the desk.

What the door sees of a delegate is ``delegate_display`` and nothing more: the name, its native-script
form, the category (and its colour), the city and the country — never the email, phone, dietary,
travel or visa details. The check-in code itself never leaves the server: the offline data carries
its SHA-256 (``token_hash``), which the device compares with the hash of what it scans.
"""

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..enums import RegistrationStatus, SignupStatus
from ..models import CheckIn, CheckInList, Registration, RetiredCheckinToken, SessionSignup
from ..registration.names import person_name
from ..staff.selectors import staff_scope
from .verdicts import list_needs_signup, refusal_messages, staff_display_name

SEARCH_LIMIT = 20
# The fields of a registration that the door's display needs (``delegate_display``).
DISPLAY_COLUMNS = (
    "id",
    "forum_id",
    "reference",
    "status",
    "honorific",
    "given_name",
    "family_name",
    "name_order",
    "native_name",
    "native_name_lang",
    "city",
    "country",
    "checkin_token",
    "category__name",
    "category__badge_colour",
)


def token_hash(token: str) -> str:
    """The SHA-256 of a check-in code, lower-case hex: how the offline data and retired codes name it."""
    return hashlib.sha256(token.encode()).hexdigest()


def checkin_lists_for_user(*, user: AbstractBaseUser) -> QuerySet[CheckInList]:
    """The check-in lists of the forums ``user`` works on, with their forum and session, forum by
    forum (the latest first), then by day."""
    return staff_scope(CheckInList.objects.select_related("forum", "session"), user).order_by(
        "-forum__start_date", "forum__name", "day", "session__starts_at", "kind", "name", "id"
    )


def delegate_display(registration: Registration) -> dict:
    """What the door team sees of a delegate (``registration`` with its category)."""
    country = registration.country
    return {
        "reference": registration.reference,
        "honorific": registration.honorific.strip(),
        "name": person_name(
            given_name=registration.given_name,
            family_name=registration.family_name,
            name_order=registration.name_order,
        ),
        "native_name": registration.native_name.strip(),
        "native_name_lang": registration.native_name_lang if registration.native_name.strip() else "",
        "category": registration.category.name,
        "category_colour": registration.category.badge_colour.lower(),
        "city": registration.city.strip(),
        "country": country.code if country else "",
        "country_name": str(country.name) if country else "",
        "status": registration.status,
    }


def check_in_display(check_in: CheckIn) -> dict:
    """A check-in as the door sees it (``check_in`` with its staff)."""
    return {
        "id": str(check_in.public_id),
        "at": check_in.checked_in_at.isoformat(),
        "by": staff_display_name(check_in.staff),
        "device_label": check_in.device_label,
    }


def registrations_for_door(forum_id: int) -> QuerySet[Registration]:
    """The forum's registrations with the columns the door needs only (no contact details loaded)."""
    return (
        Registration.objects.filter(forum_id=forum_id)
        .select_related("category")
        .only(*DISPLAY_COLUMNS)
        .order_by("id")
    )


def confirmed_for_session(
    *, checkin_list: CheckInList, registration_ids: Iterable[int] | None = None
) -> set[int]:
    """The ids of the registrations (among ``registration_ids``, or all) whose sign-up for the list's
    session is confirmed; empty for lists without a session rule."""
    if not list_needs_signup(checkin_list):
        return set()
    signups = SessionSignup.objects.filter(session_id=checkin_list.session_id, status=SignupStatus.CONFIRMED)
    if registration_ids is not None:
        signups = signups.filter(registration_id__in=list(registration_ids))
    return set(signups.values_list("registration_id", flat=True))


def on_list(*, checkin_list: CheckInList, registration: Registration, signed_up: set[int]) -> bool:
    if registration.status != RegistrationStatus.CONFIRMED:
        return False
    return not list_needs_signup(checkin_list) or registration.pk in signed_up


def active_check_ins(*, checkin_list: CheckInList) -> dict[int, CheckIn]:
    """The list's check-ins that count (not undone), by registration id, with their staff."""
    rows = CheckIn.objects.filter(list=checkin_list, undone_at__isnull=True).select_related("staff")
    return {row.registration_id: row for row in rows}


def checkin_list_data(*, checkin_list: CheckInList, now: dt.datetime | None = None) -> dict:
    """The offline data of a list: every registration of its forum (so an offline scan can say
    "cancelled" as well as "checked in") with the hashes of its current and retired codes, what the
    door shows of it, its status, whether the list admits it and its check-in. In five queries
    whatever the number of delegates."""
    forum = checkin_list.forum
    registrations = list(registrations_for_door(forum.pk))
    signed_up = confirmed_for_session(checkin_list=checkin_list)
    check_ins = active_check_ins(checkin_list=checkin_list)
    retired: dict[int, list[str]] = {}
    for registration_id, digest in (
        RetiredCheckinToken.objects.filter(registration__forum_id=forum.pk)
        .order_by("retired_at", "id")
        .values_list("registration_id", "token_hash")
    ):
        retired.setdefault(registration_id, []).append(digest)
    delegates = []
    for registration in registrations:
        check_in = check_ins.get(registration.pk)
        delegates.append(
            {
                **delegate_display(registration),
                "token_hashes": [token_hash(registration.checkin_token)]
                if registration.checkin_token
                else [],
                "retired_token_hashes": retired.get(registration.pk, []),
                "on_list": on_list(checkin_list=checkin_list, registration=registration, signed_up=signed_up),
                "checked_in": check_in_display(check_in) if check_in else None,
            }
        )
    return {
        "list": checkin_list_display(checkin_list),
        "generated_at": (now or timezone.now()).isoformat(),
        "delegates": delegates,
        "messages": refusal_messages(),
    }


def checkin_list_display(checkin_list: CheckInList) -> dict:
    forum = checkin_list.forum
    return {
        "id": str(checkin_list.public_id),
        "name": checkin_list.name,
        "kind": checkin_list.kind,
        "forum": {"slug": forum.slug, "name": forum.name},
        "day": checkin_list.day.isoformat() if checkin_list.day else None,
        "session": (
            {"title": checkin_list.session.title, "starts_at": checkin_list.session.starts_at.isoformat()}
            if checkin_list.session_id
            else None
        ),
    }


def folded(text: str) -> str:
    """``text`` for matching as people type it: case and accents ignored ("Nguyen" finds "Nguyễn";
    "đ" and "Đ" fold to "d"), other scripts as they are (NFKC)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return unicodedata.normalize("NFKC", kept)


def _search_text(registration: Registration) -> str:
    return folded(
        " ".join(
            (
                registration.given_name,
                registration.family_name,
                person_name(
                    given_name=registration.given_name,
                    family_name=registration.family_name,
                    name_order=registration.name_order,
                ),
                registration.native_name,
            )
        )
    )


def checkin_search(*, checkin_list: CheckInList, query: str) -> list[dict]:
    """The desk's search on a list: the forum's registrations whose name (Latin or native script, case
    and accents ignored), reference, or exact email matches ``query`` (at most SEARCH_LIMIT, those
    the list admits first). The email is matched, never returned. Names are matched in Python over the
    forum's registrations (the names only, in one query): accent-insensitive on every database, for
    a forum's few thousand delegates in a few milliseconds."""
    query = " ".join(query.split())[:200]
    if len(query) < 2:
        return []
    forum_id = checkin_list.forum_id
    reference = query.upper().replace(" ", "")
    if len(reference) == 8 and "-" not in reference:
        reference = f"{reference[:4]}-{reference[4:]}"
    exact = Q(reference=reference)
    if "@" in query:
        exact |= Q(email__iexact=query)
    found = list(registrations_for_door(forum_id).filter(exact)[:SEARCH_LIMIT])
    if not found:
        words = folded(query).split()
        candidates = registrations_for_door(forum_id).only(*DISPLAY_COLUMNS)
        found = [
            registration
            for registration in candidates
            if all(word in _search_text(registration) for word in words)
        ]
    signed_up = confirmed_for_session(checkin_list=checkin_list, registration_ids=[r.pk for r in found])
    found.sort(
        key=lambda r: (
            not on_list(checkin_list=checkin_list, registration=r, signed_up=signed_up),
            folded(r.family_name),
            folded(r.given_name),
            r.pk,
        )
    )
    found = found[:SEARCH_LIMIT]
    check_ins = {
        row.registration_id: row
        for row in CheckIn.objects.filter(
            list=checkin_list, undone_at__isnull=True, registration_id__in=[r.pk for r in found]
        ).select_related("staff")
    }
    return [
        {
            **delegate_display(registration),
            "on_list": on_list(checkin_list=checkin_list, registration=registration, signed_up=signed_up),
            "checked_in": check_in_display(check_ins[registration.pk])
            if registration.pk in check_ins
            else None,
        }
        for registration in found
    ]


def check_ins_changed_since(*, checkin_list: CheckInList, since: dt.datetime | None) -> list[dict]:
    """The list's check-ins changed since ``since`` (their time taken over by an earlier scan, undone),
    undone ones marked so; with no ``since``, those that count now."""
    rows = CheckIn.objects.filter(list=checkin_list).select_related("staff", "registration")
    rows = rows.filter(undone_at__isnull=True) if since is None else rows.filter(updated_at__gt=since)
    rows = rows.only(
        "public_id",
        "checked_in_at",
        "device_label",
        "undone_at",
        "registration__reference",
        "staff__first_name",
        "staff__last_name",
        "staff__username",
    ).order_by("updated_at", "id")
    changed = []
    for row in rows:
        item = {"reference": row.registration.reference, **check_in_display(row)}
        if row.undone_at is not None:
            item["undone"] = True
        changed.append(item)
    return changed
