"""Forums and their programme: rooms, tracks, sessions and speakers.

Times are stored in UTC and shown in the forum's own time zone (``Forum.time_zone``).
"""

import uuid
import zoneinfo
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from .enums import BadgeLayout, DigestFrequency, ForumStatus, SessionKind, SpeakerRole
from .validators import validate_time_zone


class Forum(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Used in public web addresses.")
    )
    theme = models.CharField(_("theme"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    host_city = models.CharField(_("host city"), max_length=120)
    country = CountryField(_("country"))
    venue_name = models.CharField(_("venue"), max_length=200, blank=True)
    venue_address = models.TextField(_("venue address"), blank=True)
    map_url = models.URLField(_("map link"), blank=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Jakarta", validators=[validate_time_zone]
    )
    registration_opens_at = models.DateTimeField(_("registration opens"), null=True, blank=True)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    registration_edit_deadline = models.DateTimeField(
        _("changes accepted until"),
        null=True,
        blank=True,
        help_text=_("Delegates may edit their registration until then; empty: until registration closes."),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Overall number of delegates; empty for no limit.")
    )
    status = models.CharField(_("status"), max_length=16, choices=ForumStatus, default=ForumStatus.DRAFT)
    badge_layout = models.CharField(
        _("badge layout"), max_length=16, choices=BadgeLayout, default=BadgeLayout.A6
    )
    # The people delegates write to: shown on the forum page, and the Reply-To of every email about
    # the forum (delegates/mail/outbox.py), so that "reply to the secretariat" reaches someone.
    secretariat_email = models.EmailField(
        _("secretariat email"),
        blank=True,
        help_text=_(
            "Shown on the forum page; replies to the forum's emails go here. Empty: the site-wide "
            "secretariat address, if one is set."
        ),
    )
    secretariat_phone = PhoneNumberField(
        _("secretariat phone"),
        blank=True,
        help_text=_("Shown on the forum page and in the forum's emails, e.g. +62 21 5000 1234."),
    )
    # Staff are emailed the registrations waiting for their approval (delegates.mail.digest).
    approval_digest = models.CharField(
        _("approval digest"),
        max_length=8,
        choices=DigestFrequency,
        default=DigestFrequency.OFF,
        help_text=_("How often staff are emailed the new registrations waiting for approval."),
    )
    approval_digest_recipients = models.TextField(
        _("approval digest recipients"),
        blank=True,
        help_text=_(
            "Email addresses, one per line or separated by commas. Empty: the staff who may change "
            "registrations of this forum."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=F("start_date")), name="forum_ends_after_start"),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=F("registration_opens_at")),
                name="forum_registration_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_published(self) -> bool:
        return self.status == ForumStatus.PUBLISHED

    @property
    def contact_email(self) -> str:
        """Where delegates write about this forum: its secretariat's address, else the site-wide one
        (``SECRETARIAT_EMAIL``, may be empty)."""
        return self.secretariat_email or settings.SECRETARIAT_EMAIL

    def clean(self) -> None:
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day cannot be before the first day.")
        if (
            self.registration_opens_at
            and self.registration_closes_at
            and self.registration_closes_at <= self.registration_opens_at
        ):
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        if errors:
            raise ValidationError(errors)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


class Room(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("forum"))
    name = models.CharField(_("name"), max_length=120)
    location = models.CharField(
        _("location"), max_length=200, blank=True, help_text=_("Floor, wing, building.")
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [models.UniqueConstraint(fields=["forum", "name"], name="room_unique_name_per_forum")]

    def __str__(self) -> str:
        return self.name


class Track(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("forum"))
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [models.UniqueConstraint(fields=["forum", "slug"], name="track_unique_slug_per_forum")]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Used in public web addresses.")
    )
    honorific = models.CharField(_("honorific"), max_length=40, blank=True, help_text=_("H.E., Hon., Dr., …"))
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    bio = models.TextField(_("short biography"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.honorific} {self.name}".strip()


class Session(models.Model):
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("forum")
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # stable iCalendar UID
    title = models.CharField(_("title"), max_length=250)
    slug = models.SlugField(_("slug"), max_length=100)
    kind = models.CharField(_("type"), max_length=16, choices=SessionKind, default=SessionKind.PANEL)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        Room,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("room"),
    )
    track = models.ForeignKey(
        Track,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("track"),
    )
    description = models.TextField(_("description"), blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    requires_signup = models.BooleanField(
        _("requires sign-up"),
        default=False,
        help_text=_("Delegates choose it when they register (site visits)."),
    )
    serves_food = models.BooleanField(
        _("serves food"),
        default=False,
        help_text=_("A meal or refreshments are served: the catering export counts its diners."),
    )
    speakers = models.ManyToManyField(
        Speaker, through="SessionSpeaker", related_name="sessions", verbose_name=_("speakers")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "ends_at", "title"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["forum", "slug"], name="session_unique_slug_per_forum"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            # No double-booked room: an exclusion constraint on PostgreSQL (migration 0002), since it
            # needs btree_gist and cannot be declared portably here.
        ]
        indexes = [models.Index(fields=["forum", "starts_at"], name="session_forum_start_idx")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("A session must end after it starts.")
        forum = self.forum if self.forum_id else None
        if forum and self.starts_at and self.ends_at:
            days = {forum.local_date(self.starts_at), forum.local_date(self.ends_at)}
            if not all(forum.start_date <= day <= forum.end_date for day in days):
                errors["starts_at"] = _(
                    "A session must take place within the forum's dates (%(first)s – %(last)s)."
                ) % {"first": forum.start_date.isoformat(), "last": forum.end_date.isoformat()}
        if self.room_id and forum and self.room.forum_id != forum.id:
            errors["room"] = _("This room belongs to another forum.")
        if self.track_id and forum and self.track.forum_id != forum.id:
            errors["track"] = _("This track belongs to another forum.")
        if self.room_id and self.starts_at and self.ends_at and "ends_at" not in errors:
            clash = (
                Session.objects.filter(
                    room_id=self.room_id, starts_at__lt=self.ends_at, ends_at__gt=self.starts_at
                )
                .exclude(pk=self.pk)
                .first()
            )
            if clash:
                errors["room"] = _("%(room)s is already booked for “%(title)s” at that time.") % {
                    "room": self.room.name,
                    "title": clash.title,
                }
        if errors:
            raise ValidationError(errors)


class SessionSpeaker(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="session_speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_roles")
    role = models.CharField(_("role"), max_length=16, choices=SpeakerRole, default=SpeakerRole.SPEAKER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("speaker role")
        verbose_name_plural = _("speaker roles")
        constraints = [
            models.UniqueConstraint(fields=["session", "speaker"], name="sessionspeaker_unique_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()})"
