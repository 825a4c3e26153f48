"""The registration form of an invitation: the public form with the invitee's details filled in and
the category fixed to the invitation's (not a field: nothing posted can change it)."""

from ..models import Invitation
from ..registration.forms import RegistrationForm


def invitation_initial(invitation: Invitation) -> dict:
    """What the form starts with: the invitation's name (its last word as the family name, which the
    invitee corrects where it is not), position, city, country and email."""
    given, _space, family = invitation.name.strip().rpartition(" ")
    if not given:
        given, family = family, ""
    return {
        "given_name": given,
        "family_name": family,
        "position": invitation.position,
        "city": invitation.city,
        "country": invitation.country.code if invitation.country else "",
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
