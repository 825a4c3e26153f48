"""Invitations: the secretariat invites a person to register in a category that is by invitation only
(``DelegateCategory.by_invitation``). The invitee receives a personal link; only the SHA-256 of its
random token is stored, so the link cannot be rebuilt from the database. The rules (create, import,
resend, revoke, use once) live in ``delegates/invitations/services.py``.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from events.models import Forum

from ..enums import OPEN_INVITATION_STATUSES, InvitationStatus
from .registration import DelegateCategory, Registration

# 32 random bytes: 256 bits, written as 43 URL-safe characters.
TOKEN_BYTES = 32


def invitation_token_new() -> tuple[str, str]:
    """A fresh token for a personal link and the hash that is stored of it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, invitation_token_hash(token)


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Invitation(models.Model):
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("forum")
    )
    # A category with invitations is not deleted on its own (RESTRICT); with its forum, it goes.
    category = models.ForeignKey(
        DelegateCategory, on_delete=models.RESTRICT, related_name="invitations", verbose_name=_("category")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    email = models.EmailField(_("email"), max_length=254)
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus, default=InvitationStatus.PENDING, db_index=True
    )
    # The SHA-256 of the personal link's token (never the token itself).
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    times_sent = models.PositiveSmallIntegerField(_("emails sent"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_made",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    registration = models.OneToOneField(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("registration"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            # One open invitation per address and forum: importing a list twice invites nobody twice.
            models.UniqueConstraint(
                Lower("email"),
                "forum",
                condition=Q(status__in=OPEN_INVITATION_STATUSES),
                name="invitation_one_open_per_email_per_forum",
            ),
            models.CheckConstraint(
                condition=Q(status__in=InvitationStatus.values), name="invitation_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=InvitationStatus.USED) | Q(used_at__isnull=False),
                name="invitation_used_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INVITATION_STATUSES
