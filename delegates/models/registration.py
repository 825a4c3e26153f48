"""The registration aggregate: delegate categories, registrations, session sign-ups and their history.

Seats are counted, never stored: a seat is a CONFIRMED registration (or session sign-up). The rules that
take seats under lock live in ``delegates/registration/seats.py``.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from events.models import Forum, Session

from ..enums import (
    ACTIVE_STATUSES,
    Dietary,
    NameOrder,
    NativeScript,
    RegistrationStatus,
    SignupState,
    SignupStatus,
)
from ..permissions import REGISTRATION_PERMISSIONS
from ..registration.names import display_name

# No 0/O, 1/I/L: a reference is read out over the phone at the registration desk.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"{code[:4]}-{code[4:]}"


class DelegateCategory(models.Model):
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="categories", verbose_name=_("forum")
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty for no limit of its own.")
    )
    requires_approval = models.BooleanField(
        _("requires approval"), default=False, help_text=_("Registrations wait for staff approval.")
    )
    protocol_rank = models.PositiveSmallIntegerField(
        _("protocol rank"), default=100, help_text=_("Lower comes first in protocol order.")
    )
    badge_colour = models.CharField(
        _("badge colour"),
        max_length=7,
        default="#1d4ed8",
        help_text=_("Hex colour of the badge band, e.g. #b91c1c."),
    )
    is_public = models.BooleanField(
        _("offered on the public form"), default=True, help_text=_("Untick for categories staff assign.")
    )
    by_invitation = models.BooleanField(
        _("by invitation only"),
        default=False,
        help_text=_(
            "Only delegates invited by the secretariat register in this category, through the personal "
            "link of their invitation; the public form never offers it."
        ),
    )
    heads_of_local_government = models.BooleanField(
        _("heads of local government by default"),
        default=False,
        help_text=_(
            "Registrations submitted in this category are marked as heads of local government (mayors, "
            "governors), who come first in protocol order; staff can change it on each registration."
        ),
    )

    class Meta:
        ordering = ["protocol_rank", "name"]
        verbose_name = _("delegate category")
        verbose_name_plural = _("delegate categories")
        constraints = [
            models.UniqueConstraint(fields=["forum", "slug"], name="category_unique_slug_per_forum"),
            models.CheckConstraint(
                condition=Q(badge_colour__regex=r"^#[0-9A-Fa-f]{6}$"), name="category_badge_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference"), max_length=9, unique=True, default=new_reference, editable=False
    )
    forum = models.ForeignKey(
        Forum, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("forum")
    )
    category = models.ForeignKey(
        DelegateCategory, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("category")
    )
    status = models.CharField(_("status"), max_length=16, choices=RegistrationStatus, db_index=True)
    # The delegate's own account once they sign in with this email; and who filled in the form
    # (often the mayor's assistant). Both may see and manage the registration.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("delegate account"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations_made",
        verbose_name=_("registered by"),
    )
    email = models.EmailField(_("delegate's email"), max_length=254)

    honorific = models.CharField(_("honorific"), max_length=40, blank=True)
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    name_order = models.CharField(
        _("name order"),
        max_length=12,
        choices=NameOrder,
        default=NameOrder.GIVEN_FIRST,
        help_text=_("How the name is written: pages, emails, lists and the suggested badge name follow it."),
    )
    badge_name = models.CharField(
        _("name on badge"), max_length=120, help_text=_("As it should be printed on the name badge.")
    )
    native_name = models.CharField(_("name in native script"), max_length=120, blank=True)
    native_name_lang = models.CharField(
        _("script of the native name"), max_length=12, choices=NativeScript, blank=True
    )
    position = models.CharField(_("position"), max_length=200)
    is_head_of_local_government = models.BooleanField(
        _("head of local government"),
        default=False,
        help_text=_("Mayor, governor or equivalent: comes first in protocol order."),
    )
    organisation = models.CharField(_("local government or organisation"), max_length=200)
    city = models.CharField(_("city"), max_length=120)
    country = CountryField(_("country"))
    phone = PhoneNumberField(_("mobile phone"), blank=True)

    dietary = models.CharField(_("dietary requirement"), max_length=16, choices=Dietary, default=Dietary.NONE)
    dietary_other = models.CharField(_("dietary details"), max_length=200, blank=True)
    allergies = models.CharField(_("allergies"), max_length=300, blank=True)
    accessibility_needs = models.TextField(_("accessibility needs"), max_length=1000, blank=True)
    accompanying_persons = models.TextField(
        _("accompanying persons"), max_length=1000, blank=True, help_text=_("Name and role, one per line.")
    )

    arrival_date = models.DateField(_("arrival date"), null=True, blank=True)
    arrival_time = models.TimeField(_("arrival time"), null=True, blank=True)
    arrival_flight = models.CharField(_("arrival flight"), max_length=20, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    departure_time = models.TimeField(_("departure time"), null=True, blank=True)
    departure_flight = models.CharField(_("departure flight"), max_length=20, blank=True)
    needs_airport_transfer = models.BooleanField(_("airport transfer needed"), default=False)
    hotel = models.CharField(_("hotel"), max_length=200, blank=True)
    needs_visa_letter = models.BooleanField(_("visa invitation letter requested"), default=False)

    media_consent = models.BooleanField(_("photo and media consent"), default=False)
    privacy_consent_at = models.DateTimeField(_("privacy notice accepted at"))

    # Badge and check-in: the token is issued on confirmation and reissued when a badge is lost (the old
    # QR code then stops working). The rendered badge is cached in storage under its content hash.
    checkin_token = models.CharField(
        _("check-in token"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    badge_file = models.FileField(_("badge PDF"), upload_to="badges/", blank=True, editable=False)
    badge_hash = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        permissions = REGISTRATION_PERMISSIONS
        constraints = [
            # One registration that takes part per address and forum; the cancelled (and rejected)
            # registrations of the address stay as they were, each with its own history.
            models.UniqueConstraint(
                Lower("email"),
                "forum",
                condition=Q(status__in=ACTIVE_STATUSES),
                name="registration_one_active_per_email_per_forum",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(name_order__in=NameOrder.values), name="registration_name_order_valid"
            ),
        ]
        indexes = [models.Index(fields=["forum", "status", "created_at"], name="registration_waitlist_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.display_name}"

    @property
    def display_name(self) -> str:
        """The honorific and the name in the delegate's order (``registration/names.py``)."""
        return display_name(
            honorific=self.honorific,
            given_name=self.given_name,
            family_name=self.family_name,
            name_order=self.name_order,
        )


class SessionSignup(models.Model):
    """A delegate's place in a session that requires sign-up (site visit, side event)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="signups")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(max_length=16, choices=SignupStatus)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session__starts_at", "id"]
        verbose_name = _("session sign-up")
        verbose_name_plural = _("session sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="signup_unique_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} → {self.session_id} ({self.status})"

    # What the sign-up means for the delegate: read with its registration's status, which decides why a
    # sign-up waits (``seats.py``: sign-ups of a registration that is not confirmed wait, and take their
    # seat when it is confirmed, if one is free then).

    @property
    def state(self) -> str:
        if self.status == SignupStatus.CONFIRMED:
            return SignupState.CONFIRMED
        if self.status == SignupStatus.RELEASED:
            return SignupState.RELEASED
        registration_status = self.registration.status
        if registration_status == RegistrationStatus.PENDING:
            return SignupState.AWAITING_APPROVAL
        if registration_status == RegistrationStatus.WAITLISTED:
            return SignupState.AWAITING_CONFIRMATION
        if registration_status == RegistrationStatus.CONFIRMED:
            return SignupState.SESSION_FULL
        return SignupState.RELEASED  # a registration that left the forum holds no place

    def get_state_display(self) -> str:
        return SignupState(self.state).label

    @property
    def seats_left(self) -> int | None:
        """Free seats of the session now (None: no limit). Reads the ``session_taken`` annotation of
        the selectors, else counts."""
        capacity = self.session.capacity
        if capacity is None:
            return None
        taken = getattr(self, "session_taken", None)
        if taken is None:
            taken = SessionSignup.objects.filter(
                session_id=self.session_id, status=SignupStatus.CONFIRMED
            ).count()
        return max(capacity - taken, 0)

    @property
    def state_note(self) -> str:
        """What happens next, in one sentence ("" for a confirmed place)."""
        state = self.state
        if state == SignupState.AWAITING_APPROVAL:
            if self.seats_left == 0:
                return gettext(
                    "The session is full now: when the registration is approved, this sign-up joins its "
                    "waitlist."
                )
            return gettext(
                "A place is given when the secretariat approves the registration, if one is still free then."
            )
        if state == SignupState.AWAITING_CONFIRMATION:
            if self.seats_left == 0:
                return gettext(
                    "The session is full now: when the registration is confirmed, this sign-up joins its "
                    "waitlist."
                )
            return gettext(
                "A place is given when the registration is confirmed from the waitlist, if one is still "
                "free then."
            )
        if state == SignupState.SESSION_FULL:
            return gettext(
                "If a place becomes free, it goes to the first on the waitlist, in the order of sign-up, "
                "and an email says so."
            )
        if state == SignupState.RELEASED:
            if self.registration.status == RegistrationStatus.REJECTED:
                return gettext("The registration was not accepted, so this choice holds no place.")
            return gettext("The registration was cancelled, so this choice holds no place any more.")
        return ""

    @property
    def seats_note(self) -> str:
        """The session's free places now, for a sign-up still waiting for its registration ("" otherwise,
        and for a session without a limit)."""
        left = self.seats_left
        if self.state not in (SignupState.AWAITING_APPROVAL, SignupState.AWAITING_CONFIRMATION) or not left:
            return ""
        return ngettext(
            "%(left)s of %(capacity)s places is free now.",
            "%(left)s of %(capacity)s places are free now.",
            left,
        ) % {"left": left, "capacity": self.session.capacity}


class StatusChange(models.Model):
    """The history of a registration: who changed its status, when and why."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, choices=RegistrationStatus, blank=True)
    to_status = models.CharField(max_length=16, choices=RegistrationStatus)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"
