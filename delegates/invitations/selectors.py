"""Reads of invitations: the one behind a personal link."""

import re

from ..models import Invitation, invitation_token_hash

# What a token of ``invitation_token_new`` looks like; anything else is not looked up at all.
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def invitation_for_token(*, token: str) -> Invitation | None:
    """The invitation whose personal link carries ``token`` (found by the token's hash), with its forum
    and category; None for a token that is malformed or belongs to no invitation (a link sent before
    the invitation was sent again with a new one included)."""
    if not _TOKEN_SHAPE.match(token):
        return None
    return (
        Invitation.objects.select_related("forum", "category", "registration")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
