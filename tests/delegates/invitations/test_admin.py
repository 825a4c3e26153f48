"""Invitations in the admin: who may see, add, import, send again and revoke them (Registrars and
Forum administrators; not the door team, not read-only), the list with its status, filters and search,
one invitation added by hand, the bulk actions with their confirmation pages, and forum limits."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegates.enums import InvitationStatus
from delegates.models import Invitation, StaffForumAccess
from tests.delegates.invitations.conftest import link_in
from tests.factories import DelegateCategoryFactory, ForumFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:delegates_invitation_changelist")
ADD = reverse("admin:delegates_invitation_add")
IMPORT = reverse("admin:delegates_invitation_import")
TEMPLATE = reverse("admin:delegates_invitation_template_csv")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["registrar", "forum_admin"])
def test_registrars_and_administrators_work_with_invitations(request, who, invite, invited_mayors):
    invite(invited_mayors)
    client = client_of(request.getfixturevalue(who))
    for url in (CHANGELIST, ADD, IMPORT, TEMPLATE):
        assert client.get(url).status_code == 200, url
    listing = client.get(CHANGELIST).content.decode()
    assert "Import a list…" in listing
    assert "sok.vibol@phnompenh.example.org" in listing


@pytest.mark.parametrize("who", ["door", "read_only"])
def test_the_door_team_and_read_only_staff_may_not(request, who, invite, invited_mayors, open_forum):
    invitation, _link = invite(invited_mayors)
    client = client_of(request.getfixturevalue(who))
    for url in (
        CHANGELIST,
        ADD,
        IMPORT,
        TEMPLATE,
        reverse("admin:delegates_invitation_change", args=[invitation.pk]),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(IMPORT, {"forum": open_forum.pk})
    assert response.status_code == 403
    response = client.post(
        CHANGELIST,
        {"action": "revoke_selected", "_selected_action": [invitation.pk], "confirm_action": "yes"},
    )
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT


def test_one_invitation_added_by_hand_is_emailed(
    registrar, invited_mayors, open_forum, django_capture_on_commit_callbacks
):
    client = client_of(registrar)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            ADD,
            {
                "forum": open_forum.pk,
                "category": invited_mayors.pk,
                "name": "Aung Kyaw Min",
                "position": "Mayor",
                "city": "Yangon",
                "country": "MM",
                "email": "aung.kyaw.min@yangon.example.org",
            },
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.name, invitation.country.code, invitation.created_by) == (
        "Aung Kyaw Min",
        "MM",
        registrar,
    )
    assert invitation.status == InvitationStatus.SENT
    assert "/invitations/" in link_in(mail.outbox[-1])


def test_adding_refuses_a_category_that_is_not_by_invitation_or_of_another_forum(
    registrar, invited_mayors, mayors
):
    other = DelegateCategoryFactory(forum=ForumFactory(), by_invitation=True, name="Elsewhere")
    client = client_of(registrar)
    base = {"forum": mayors.forum.pk, "name": "A", "email": "a@example.org"}
    response = client.post(ADD, {**base, "category": mayors.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.context["adminform"].form.errors["category"][0]
    response = client.post(ADD, {**base, "category": other.pk})
    assert response.context["adminform"].form.errors["category"] == [
        "Choose a category of the forum chosen above."
    ]
    assert not Invitation.objects.exists()


def test_the_list_shows_each_status_and_filters_by_it(registrar, invite, invited_mayors):
    sent, _ = invite(invited_mayors, email="a@example.org", name="Alpha")
    revoked, _ = invite(invited_mayors, email="b@example.org", name="Bravo")
    Invitation.objects.filter(pk=revoked.pk).update(status=InvitationStatus.REVOKED)
    client = client_of(registrar)
    html = client.get(CHANGELIST).content.decode()
    assert "Sent" in html and "Revoked" in html
    filtered = client.get(CHANGELIST, {"status__exact": "revoked"})
    assert [i.pk for i in filtered.context["cl"].result_list] == [revoked.pk]
    searched = client.get(CHANGELIST, {"q": "alpha"})
    assert [i.pk for i in searched.context["cl"].result_list] == [sent.pk]


def test_the_list_reads_a_constant_number_of_queries(registrar, invite, invited_mayors):
    client = client_of(registrar)
    invite(invited_mayors, email="one@example.org")
    with CaptureQueriesContext(connection) as one:
        client.get(CHANGELIST)
    for n in range(10):
        invite(invited_mayors, email=f"many{n}@example.org")
    with CaptureQueriesContext(connection) as many:
        client.get(CHANGELIST)
    assert len(many) == len(one)


def test_sending_again_in_bulk_asks_first_then_sends_new_links(
    registrar, invite, invited_mayors, register, django_capture_on_commit_callbacks
):
    first, old_link = invite(invited_mayors, email="a@example.org")
    used, _ = invite(invited_mayors, email="b@example.org")
    Invitation.objects.filter(pk=used.pk).update(status=InvitationStatus.USED, used_at=used.created_at)
    client = client_of(registrar)
    selection = {"action": "resend_selected", "_selected_action": [first.pk, used.pk], "index": "0"}

    page = client.post(CHANGELIST, selection)
    assert page.status_code == 200
    assert "Send invitations again" in page.content.decode()
    assert "a@example.org" in page.content.decode()
    sent_before = len(mail.outbox)

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(CHANGELIST, {**selection, "confirm_action": "yes"}, follow=True)
    texts = [str(m) for m in done.context["messages"]]
    assert "1 invitation sent again with a new link." in texts
    assert "Skipped (used or revoked already): b@example.org." in texts
    assert len(mail.outbox) == sent_before + 1
    assert link_in(mail.outbox[-1]) != old_link


def test_revoking_in_bulk_asks_first(registrar, invite, invited_mayors):
    first, _ = invite(invited_mayors, email="a@example.org")
    client = client_of(registrar)
    selection = {"action": "revoke_selected", "_selected_action": [first.pk], "index": "0"}
    page = client.post(CHANGELIST, selection)
    assert "Revoke invitations" in page.content.decode()
    first.refresh_from_db()
    assert first.status == InvitationStatus.SENT
    done = client.post(CHANGELIST, {**selection, "confirm_action": "yes"}, follow=True)
    assert "1 invitation revoked." in [str(m) for m in done.context["messages"]]
    first.refresh_from_db()
    assert (first.status, first.revoked_by) == (InvitationStatus.REVOKED, registrar)


def test_staff_limited_to_a_forum_see_and_import_for_it_only(registrar, invite, invited_mayors, open_forum):
    other_forum = ForumFactory(name="Other forum")
    elsewhere = DelegateCategoryFactory(forum=other_forum, by_invitation=True, name="Invited elsewhere")
    mine, _ = invite(invited_mayors, email="mine@example.org")
    theirs, _ = invite(elsewhere, email="theirs@example.org")
    StaffForumAccess.objects.create(user=registrar).forums.set([open_forum])
    client = client_of(registrar)

    listing = client.get(CHANGELIST)
    assert [i.pk for i in listing.context["cl"].result_list] == [mine.pk]
    assert client.get(reverse("admin:delegates_invitation_change", args=[theirs.pk])).status_code == 404
    form = client.get(IMPORT).context["form"]
    assert list(form.fields["forum"].queryset) == [open_forum]
    refused = client.post(IMPORT, {"forum": other_forum.pk})
    assert "forum" in refused.context["form"].errors
    # Forged ids in an action are filtered out by the scoped queryset.
    client.post(
        CHANGELIST, {"action": "revoke_selected", "_selected_action": [theirs.pk], "confirm_action": "yes"}
    )
    theirs.refresh_from_db()
    assert theirs.status == InvitationStatus.SENT
