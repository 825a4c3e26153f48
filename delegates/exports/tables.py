"""What each export holds: a ``Table`` (title, columns, rows). Rows are produced lazily from querysets
read in chunks (``iterator``), so that the writers can stream them.

Contact details (email, phone, dietary, travel, hotel and visa: ``staff.contact``, the one list the
admin hides too) are left out for staff without ``view_contact_details``, as is what is worked out from
them (nights); the exports made of them (rooming list, transfers, visa letters) are theirs only.
Names are written in the delegate's name order (``registration.names``), with the native-script name
in a column of its own.
"""

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import Country

from events.models import Forum, Session

from ..checkin.verdicts import list_needs_signup, staff_display_name
from ..enums import ACTIVE_STATUSES, Dietary, RegistrationStatus, SignupStatus
from ..models import CheckIn, CheckInList, Registration, SessionSignup
from ..registration.names import person_name
from ..staff.contact import contact_fields

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable[[Registration], object]


@dataclass
class Table:
    title: str
    filename: str  # without extension
    headers: list[str]
    rows: Iterable[list[object]]
    column_widths: list[int] = field(default_factory=list)  # in characters, for XLSX


def _name(registration: Registration) -> str:
    return person_name(
        given_name=registration.given_name,
        family_name=registration.family_name,
        name_order=registration.name_order,
    )


def _phone(registration: Registration) -> str:
    return registration.phone.as_international if registration.phone else ""


def _nights(registration: Registration) -> int | None:
    arrival, departure = registration.arrival_date, registration.departure_date
    return (departure - arrival).days if arrival and departure and departure >= arrival else None


def _label(field: str, value: str) -> str:
    """The translated label of a choice of ``Registration.<field>`` (looked up once per language)."""
    return _choice_label(translation.get_language(), field, value)


@functools.lru_cache(maxsize=1024)
def _choice_label(language: str, field: str, value: str) -> str:
    return str(dict(Registration._meta.get_field(field).flatchoices).get(value, value))


@functools.lru_cache(maxsize=2048)
def _country_name(language: str, code: str) -> str:
    return str(Country(code).name) if code else ""


def _local(moment: dt.datetime | None, forum: Forum) -> dt.datetime | None:
    return timezone.localtime(moment, forum.tz).replace(tzinfo=None) if moment else None


# The delegate list's columns, in the order they are offered.
DELEGATE_COLUMNS: tuple[Column, ...] = (
    Column("reference", _("Reference"), lambda r: r.reference),
    Column("status", _("Status"), lambda r: _label("status", r.status)),
    Column("honorific", _("Honorific"), lambda r: r.honorific),
    Column("name", _("Name"), _name),
    Column("given_name", _("Given name"), lambda r: r.given_name),
    Column("family_name", _("Family name"), lambda r: r.family_name),
    Column("native_name", _("Name in native script"), lambda r: r.native_name),
    Column("badge_name", _("Name on badge"), lambda r: r.badge_name),
    Column("position", _("Position"), lambda r: r.position),
    Column("organisation", _("Organisation"), lambda r: r.organisation),
    Column("city", _("City"), lambda r: r.city),
    Column("country", _("Country"), lambda r: _country_name(translation.get_language(), r.country.code)),
    Column("category", _("Category"), lambda r: r.category.name),
    Column("forum", _("Forum"), lambda r: r.forum.name),
    Column("email", _("Email"), lambda r: r.email),
    Column("phone", _("Mobile phone"), _phone),
    Column("dietary", _("Dietary requirement"), lambda r: _label("dietary", r.dietary)),
    Column("dietary_other", _("Dietary details"), lambda r: r.dietary_other),
    Column("allergies", _("Allergies"), lambda r: r.allergies),
    Column("accessibility_needs", _("Accessibility needs"), lambda r: r.accessibility_needs),
    Column("arrival_date", _("Arrival date"), lambda r: r.arrival_date),
    Column("arrival_time", _("Arrival time"), lambda r: r.arrival_time),
    Column("arrival_flight", _("Arrival flight"), lambda r: r.arrival_flight),
    Column("departure_date", _("Departure date"), lambda r: r.departure_date),
    Column("departure_time", _("Departure time"), lambda r: r.departure_time),
    Column("departure_flight", _("Departure flight"), lambda r: r.departure_flight),
    Column("needs_airport_transfer", _("Airport transfer"), lambda r: r.needs_airport_transfer),
    Column("hotel", _("Hotel"), lambda r: r.hotel),
    Column("nights", pgettext_lazy("hotel", "Nights"), _nights),
    Column("accompanying_persons", _("Accompanying persons"), lambda r: r.accompanying_persons),
    Column("needs_visa_letter", _("Visa letter"), lambda r: r.needs_visa_letter),
    Column("submitted", _("Submitted"), lambda r: _local(r.created_at, r.forum)),
)
DEFAULT_DELEGATE_COLUMNS = (
    "reference",
    "status",
    "honorific",
    "name",
    "native_name",
    "position",
    "organisation",
    "city",
    "country",
    "category",
    "email",
)


# Columns that are contact details, or worked out from them.
CONTACT_COLUMNS = contact_fields(Registration) | {"nights"}
# Exports made of contact details: only for staff who may see them.
CONTACT_EXPORTS = frozenset({"rooming", "transfers", "visa_letters"})


def allowed_columns(*, contact: bool) -> tuple[Column, ...]:
    return tuple(column for column in DELEGATE_COLUMNS if contact or column.key not in CONTACT_COLUMNS)


def _registrations(forum: Forum) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(forum=forum)
        .select_related("forum", "category")
        .order_by("category__protocol_rank", "family_name", "given_name", "pk")
    )


def _rows(queryset: QuerySet[Registration], columns: Iterable[Column]) -> Iterator[list[object]]:
    columns = list(columns)
    for registration in queryset.iterator(chunk_size=CHUNK):
        yield [column.value(registration) for column in columns]


def _table(title, filename, columns: list[Column], queryset) -> Table:
    return Table(
        title=str(title),
        filename=filename,
        headers=[str(column.label) for column in columns],
        rows=_rows(queryset, columns),
        column_widths=[_width(column) for column in columns],
    )


def _width(column: Column) -> int:
    return {"name": 30, "native_name": 24, "organisation": 30, "position": 26, "email": 30}.get(
        column.key, 16
    )


def _pick(keys: Iterable[str], *, contact: bool) -> list[Column]:
    by_key = {column.key: column for column in allowed_columns(contact=contact)}
    return [by_key[key] for key in keys if key in by_key]


# --- The exports ---------------------------------------------------------------------------------------


def delegate_list(
    registrations: QuerySet[Registration], *, columns: Iterable[str], contact: bool, filename: str
) -> Table:
    """The delegate list of ``registrations`` with the chosen columns (the default ones when none is
    chosen), contact columns only if ``contact``."""
    chosen = _pick(columns, contact=contact) or _pick(DEFAULT_DELEGATE_COLUMNS, contact=contact)
    queryset = registrations.select_related("forum", "category").order_by(
        "forum__start_date", "category__protocol_rank", "family_name", "given_name", "pk"
    )
    return _table(_("Delegates"), filename, chosen, queryset)


def forum_registrations(forum: Forum, *, statuses: Iterable[str]) -> QuerySet[Registration]:
    return Registration.objects.filter(forum=forum, status__in=list(statuses))


def rooming_list(forum: Forum, *, contact: bool) -> Table:
    """Confirmed delegates by hotel, then arrival: what each hotel needs for its rooms. Delegates who
    gave no hotel come last, so that the secretariat sees who has still to say."""
    queryset = (
        _registrations(forum)
        .filter(status=RegistrationStatus.CONFIRMED)
        .annotate(no_hotel=Case(When(hotel="", then=Value(1)), default=Value(0)))
        .order_by("no_hotel", "hotel", "arrival_date", "family_name", "given_name", "pk")
    )
    keys = ("hotel", "honorific", "name", "native_name", "country", "category", "arrival_date",
            "departure_date", "nights", "accompanying_persons", "phone", "email")  # fmt: skip
    return _table(_("Rooming list"), f"rooming-{forum.slug}", _pick(keys, contact=contact), queryset)


def transfer_manifest(forum: Forum, *, contact: bool) -> Table:
    """Confirmed delegates who asked for an airport transfer, by arrival date, time and flight."""
    queryset = (
        _registrations(forum)
        .filter(status=RegistrationStatus.CONFIRMED, needs_airport_transfer=True)
        .order_by("arrival_date", "arrival_time", "arrival_flight", "family_name", "given_name", "pk")
    )
    keys = ("arrival_date", "arrival_time", "arrival_flight", "honorific", "name", "native_name",
            "country", "category", "accompanying_persons", "hotel", "phone", "departure_date",
            "departure_time", "departure_flight")  # fmt: skip
    columns = _pick(keys, contact=contact)
    return _table(_("Airport transfers"), f"transfers-{forum.slug}", columns, queryset)


def visa_letters(forum: Forum, *, contact: bool) -> Table:
    """Delegates still taking part who asked for a visa invitation letter, oldest request first."""
    queryset = (
        _registrations(forum)
        .filter(status__in=ACTIVE_STATUSES, needs_visa_letter=True)
        .order_by("created_at", "pk")
    )
    keys = ("reference", "status", "honorific", "given_name", "family_name", "native_name", "position",
            "organisation", "city", "country", "email", "phone", "arrival_date", "departure_date",
            "submitted")  # fmt: skip
    return _table(
        _("Visa letter requests"), f"visa-letters-{forum.slug}", _pick(keys, contact=contact), queryset
    )


def session_roster(session: Session, *, contact: bool) -> Table:
    """Who is on a session: its confirmed sign-ups (then its waitlist) for a session that needs one,
    else every confirmed delegate of the forum."""
    forum = session.forum
    keys = ("reference", "honorific", "name", "native_name", "category", "organisation", "country",
            "phone", "email")  # fmt: skip
    columns = _pick(keys, contact=contact)
    filename = f"roster-{forum.slug}-{session.slug}"
    if not session.requires_signup:
        queryset = _registrations(forum).filter(status=RegistrationStatus.CONFIRMED)
        return _table(session.title, filename, columns, queryset)
    signups = (
        SessionSignup.objects.filter(
            session=session,
            status__in=(SignupStatus.CONFIRMED, SignupStatus.WAITLISTED),
            registration__status__in=ACTIVE_STATUSES,
        )
        .select_related("registration__forum", "registration__category")
        .order_by("status", "created_at", "pk")
    )
    place = Column("signup", _("Place"), lambda s: s.get_status_display())

    def rows() -> Iterator[list[object]]:
        for signup in signups.iterator(chunk_size=CHUNK):
            registration = signup.registration
            yield [place.value(signup), *(column.value(registration) for column in columns)]

    return Table(
        title=session.title,
        filename=filename,
        headers=[str(place.label), *(str(column.label) for column in columns)],
        rows=rows(),
        column_widths=[14, *(_width(column) for column in columns)],
    )


def _diners(session: Session) -> QuerySet[Registration]:
    diners = Registration.objects.filter(forum=session.forum_id, status=RegistrationStatus.CONFIRMED)
    if session.requires_signup:
        diners = diners.filter(signups__session=session, signups__status=SignupStatus.CONFIRMED)
    return diners


def catering(forum: Forum, *, contact: bool) -> Table:
    """For each session that serves food: how many confirmed delegates eat, by dietary requirement,
    and each allergy and special requirement with whose it is. A session that needs sign-up counts
    its confirmed sign-ups; any other, every confirmed delegate. Without ``contact``, the counts only
    (who has which allergy is a contact detail)."""
    dietary = [choice for choice in Dietary if choice != Dietary.NONE]
    headers = [
        str(_("Session")),
        str(_("Starts")),
        str(_("Diners")),
        *(str(choice.label) for choice in dietary),
        str(_("No special requirement")),
    ]
    if contact:
        headers.append(str(_("Allergies and other requirements")))
    sessions = list(Session.objects.filter(forum=forum, serves_food=True).order_by("starts_at", "pk"))

    def notes(session: Session) -> str:
        with_details = (
            _diners(session)
            .filter(Q(dietary=Dietary.OTHER) & ~Q(dietary_other="") | ~Q(allergies=""))
            .order_by("family_name", "given_name", "pk")
        )
        lines = []
        for registration in with_details.iterator(chunk_size=CHUNK):
            other = registration.dietary_other if registration.dietary == Dietary.OTHER else ""
            details = "; ".join(text for text in (other, registration.allergies) if text)
            lines.append(f"{_name(registration)}: {details}")
        return "\n".join(lines)

    def rows() -> Iterator[list[object]]:
        for session in sessions:
            counts = dict(
                _diners(session)
                .order_by()
                .values_list("dietary")
                .annotate(count=Count("pk"))
                .values_list("dietary", "count")
            )
            row = [
                session.title,
                _local(session.starts_at, forum),
                sum(counts.values()),
                *(counts.get(choice, 0) for choice in dietary),
                counts.get(Dietary.NONE, 0),
            ]
            if contact:
                row.append(notes(session))
            yield row

    return Table(
        title=str(_("Catering")),
        filename=f"catering-{forum.slug}",
        headers=headers,
        rows=rows(),
        column_widths=[30, 17, 8, *([12] * len(dietary)), 12, *([60] if contact else [])],
    )


def attendance(checkin_list: CheckInList, *, contact: bool) -> Table:
    """Who came, on one check-in list: every delegate the list admits (its forum's confirmed delegates;
    for a session's list, those confirmed for the session) and anyone checked in on it since no longer
    admitted (cancelled after arriving, say), with when they were checked in, by whom and on which
    device — or nothing there, for those who did not come. An undone check-in does not count."""
    forum = checkin_list.forum
    active = CheckIn.objects.filter(list=checkin_list, undone_at__isnull=True)
    admitted = Q(status=RegistrationStatus.CONFIRMED)
    if list_needs_signup(checkin_list):
        admitted &= Exists(
            SessionSignup.objects.filter(
                session_id=checkin_list.session_id, registration=OuterRef("pk"), status=SignupStatus.CONFIRMED
            )
        )
    queryset = _registrations(forum).filter(admitted | Exists(active.filter(registration=OuterRef("pk"))))
    check_ins = {row.registration_id: row for row in active.select_related("staff").order_by()}
    keys = ("reference", "status", "honorific", "name", "native_name", "category", "organisation", "city",
            "country", "phone", "email")  # fmt: skip
    columns = _pick(keys, contact=contact)
    yes, no = str(_("Yes")), str(_("No"))

    def rows() -> Iterator[list[object]]:
        for registration in queryset.iterator(chunk_size=CHUNK):
            check_in = check_ins.get(registration.pk)
            came = [
                yes if check_in else no,
                _local(check_in.checked_in_at, forum) if check_in else None,
                staff_display_name(check_in.staff) if check_in else "",
                check_in.device_label if check_in else "",
            ]
            yield [*came, *(column.value(registration) for column in columns)]

    headers = [str(_("Checked in")), str(_("Checked in at")), str(_("Checked in by")), str(_("Device"))]
    return Table(
        title=str(checkin_list.name),
        filename=f"attendance-{forum.slug}-{slugify(checkin_list.name) or checkin_list.public_id}",
        headers=[*headers, *(str(column.label) for column in columns)],
        rows=rows(),
        column_widths=[11, 17, 20, 14, *(_width(column) for column in columns)],
    )
