"""The registration form of an invitation: the public form with the invitee's details filled in and
the category fixed to the invitation's (not a field: nothing posted can change it)."""

from ..models import Invitation
from ..registration.forms import RegistrationForm
from ..registration.names import FAMILY_FIRST_COUNTRIES


def invitation_initial(invitation: Invitation) -> dict:
    """What the form starts with: the invitation's name, split as it is usually written in its
    country (family name first in Cambodia, Viet Nam, China…: its first word; elsewhere its last
    word; the invitee corrects it where that is wrong), position, city, country and email."""
    country = invitation.country.code if invitation.country else ""
    words = invitation.name.split()
    if len(words) < 2:
        given, family = invitation.name.strip(), ""
    elif country in FAMILY_FIRST_COUNTRIES:
        family, given = words[0], " ".join(words[1:])
    else:
        given, family = " ".join(words[:-1]), words[-1]
    return {
        "given_name": given,
        "family_name": family,
        "position": invitation.position,
        "city": invitation.city,
        "country": country,
        "email": invitation.email,
    }


class InvitationRegistrationForm(RegistrationForm):
    field_cache_name = "registration-invitation"

    def __init__(self, *args, invitation: Invitation, **kwargs):
        self.invitation = invitation
        super().__init__(*args, forum=invitation.forum, **kwargs)
        del self.fields["category"]

    def field_cache_scope(self) -> tuple:
        return (*super().field_cache_scope(), self.invitation.category_id)

    def category_options(self) -> list:
        return []
