"""The staff roles (groups made by migration), the forums a staff member works on, and the one gate of
the staff views."""

import pytest
from django.apps import apps as global_apps
from django.contrib.auth.models import Group, Permission
from django.http import HttpResponse
from django.test import RequestFactory

from delegates.models import StaffForumAccess
from delegates.permissions import (
    BADGE_AND_DOOR_TEAM,
    FORUM_ADMINISTRATORS,
    READ_ONLY,
    REGISTRARS,
    ROLES,
    roles_sync,
    staff_view,
)
from delegates.staff.selectors import staff_forum_filter, staff_forum_ids
from events.models import Forum
from tests.factories import ForumFactory, UserFactory

pytestmark = pytest.mark.django_db


def role_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


def all_permissions(*labels: str) -> set[str]:
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type")
    }


def test_the_migrations_create_the_four_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        FORUM_ADMINISTRATORS,
        REGISTRARS,
        BADGE_AND_DOOR_TEAM,
        READ_ONLY,
    }


def test_forum_administrators_may_do_everything_of_both_apps():
    assert role_permissions(FORUM_ADMINISTRATORS) == all_permissions("delegates", "events")


def test_registrars_handle_registrations_but_not_forum_settings():
    permissions = role_permissions(REGISTRARS)

    assert {
        "delegates.view_registration",
        "delegates.add_registration",
        "delegates.change_registration",
        "delegates.view_contact_details",
        "delegates.export_registrations",
        "delegates.email_delegates",
    } <= permissions
    assert not {p for p in permissions if p.startswith("events.") and not p.startswith("events.view_")}
    assert "delegates.change_delegatecategory" not in permissions
    assert "delegates.print_badges" not in permissions


def test_the_door_team_prints_and_checks_in_and_never_sees_contact_details():
    permissions = role_permissions(BADGE_AND_DOOR_TEAM)

    assert {
        "delegates.print_badges",
        "delegates.view_printjob",
        "delegates.check_in",
        "delegates.undo_checkin",
    } <= permissions
    assert "delegates.view_contact_details" not in permissions
    assert "delegates.export_registrations" not in permissions
    assert "delegates.change_registration" not in permissions


def test_read_only_sees_the_dashboard_and_exports_without_contact_details():
    permissions = role_permissions(READ_ONLY)

    assert {"delegates.view_dashboard", "delegates.export_registrations"} <= permissions
    assert "delegates.view_contact_details" not in permissions
    assert not {p for p in permissions if p.split(".")[1].startswith(("add_", "change_", "delete_"))}


def test_every_named_permission_of_a_role_exists():
    existing = all_permissions("delegates", "events")

    for names in ROLES.values():
        assert {name for name in names if not name.endswith(".*")} <= existing


def test_sync_puts_a_role_back_to_what_its_name_promises():
    door = Group.objects.get(name=BADGE_AND_DOOR_TEAM)
    door.permissions.add(Permission.objects.get(codename="view_contact_details"))
    Group.objects.filter(name=READ_ONLY).delete()

    roles_sync(apps=global_apps)

    assert "delegates.view_contact_details" not in role_permissions(BADGE_AND_DOOR_TEAM)
    assert "delegates.view_dashboard" in role_permissions(READ_ONLY)
    # The apps keep their models module: a later post_migrate (a flush of a transactional test, the
    # next migrate) still creates their permissions.
    assert global_apps.get_app_config("delegates").models_module is not None
    assert global_apps.get_app_config("events").models_module is not None


# --- Forums a staff member works on --------------------------------------------------------------------


def test_staff_without_a_limit_work_on_every_forum():
    user = UserFactory(is_staff=True)

    assert staff_forum_ids(user) is None


def test_staff_limited_to_chosen_forums_see_only_those():
    chosen, other = ForumFactory(slug="chosen"), ForumFactory(slug="other")
    user = UserFactory(is_staff=True)
    StaffForumAccess.objects.create(user=user).forums.set([chosen])

    assert staff_forum_ids(user) == {chosen.pk}
    assert list(staff_forum_filter(Forum.objects.order_by("pk"), user, field="pk")) == [chosen]
    assert other not in staff_forum_filter(Forum.objects.all(), user, field="pk")


def test_a_superuser_is_never_limited():
    user = UserFactory(is_staff=True, is_superuser=True)
    StaffForumAccess.objects.create(user=user).forums.set([ForumFactory()])

    assert staff_forum_ids(user) is None


# --- The gate of staff views ---------------------------------------------------------------------------


@staff_view("delegates.print_badges")
def _printing_view(request):
    return HttpResponse("printing")


def _call(user):
    request = RequestFactory().get("/admin/something/")
    request.user = user
    return _printing_view(request)


def test_staff_view_sends_anonymous_visitors_to_sign_in():
    from django.contrib.auth.models import AnonymousUser

    response = _call(AnonymousUser())

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


def test_staff_view_is_not_found_for_someone_who_is_not_staff():
    from django.http import Http404

    with pytest.raises(Http404):
        _call(UserFactory(is_staff=False))


def test_staff_view_is_forbidden_without_the_permission_and_open_with_it():
    from django.core.exceptions import PermissionDenied

    without = UserFactory(is_staff=True)
    with_it = UserFactory(is_staff=True)
    with_it.groups.add(Group.objects.get(name=BADGE_AND_DOOR_TEAM))

    with pytest.raises(PermissionDenied):
        _call(without)
    assert _call(with_it).content == b"printing"


# --- What staff limited to chosen forums see of each model ---------------------------------------------


def test_every_model_of_both_apps_leads_to_its_forum_or_is_kept_from_limited_staff():
    from delegates.staff.selectors import forum_path

    paths = {
        model._meta.label_lower: forum_path(model)
        for label in ("events", "delegates")
        for model in global_apps.get_app_config(label).get_models()
    }

    assert paths == {
        "events.forum": "pk",
        "events.room": "forum",
        "events.track": "forum",
        "events.speaker": None,  # shared by forums: see the next test
        "events.session": "forum",
        "events.sessionspeaker": "session__forum",
        "delegates.delegatecategory": "forum",
        "delegates.registration": "forum",
        "delegates.sessionsignup": "registration__forum",
        "delegates.statuschange": "registration__forum",
        "delegates.emailoutbox": "registration__forum",
        "delegates.printjob": "forum",
        "delegates.printjobitem": "job__forum",
        "delegates.staffforumaccess": None,
        "delegates.approvaldigest": "forum",
        "delegates.checkinlist": "forum",
        "delegates.checkin": "list__forum",
        "delegates.checkinscan": "list__forum",
        "delegates.retiredcheckintoken": "registration__forum",
    }


def test_limited_staff_see_the_speakers_of_their_forums_and_those_on_no_programme():
    from delegates.staff.selectors import staff_scope
    from events.models import Speaker
    from tests.factories import SessionFactory, SessionSpeakerFactory, SpeakerFactory

    chosen, other = ForumFactory(slug="chosen"), ForumFactory(slug="other")
    ours = SessionSpeakerFactory(session=SessionFactory(forum=chosen)).speaker
    theirs = SessionSpeakerFactory(session=SessionFactory(forum=other)).speaker
    both = SpeakerFactory()
    SessionSpeakerFactory(session=SessionFactory(forum=chosen), speaker=both)
    SessionSpeakerFactory(session=SessionFactory(forum=other), speaker=both)
    new = SpeakerFactory()
    user = UserFactory(is_staff=True)
    StaffForumAccess.objects.create(user=user).forums.set([chosen])

    seen = set(staff_scope(Speaker.objects.all(), user))

    assert seen == {ours, both, new}
    assert theirs not in seen


def test_rows_of_no_forum_are_kept_from_limited_staff_and_a_limit_to_no_forum_shows_nothing():
    from delegates.staff.selectors import staff_scope

    forum = ForumFactory()
    limited = UserFactory(is_staff=True)
    StaffForumAccess.objects.create(user=limited).forums.set([forum])
    nowhere = UserFactory(is_staff=True)
    StaffForumAccess.objects.create(user=nowhere)

    assert list(staff_scope(StaffForumAccess.objects.all(), limited)) == []
    assert list(staff_scope(Forum.objects.all(), nowhere)) == []
    assert list(staff_scope(Forum.objects.all(), UserFactory(is_staff=True))) == [forum]


def test_a_staff_url_of_another_forum_is_not_found():
    from django.http import Http404

    from delegates.staff.selectors import staff_object_or_404

    chosen, other = ForumFactory(slug="chosen"), ForumFactory(slug="other")
    user = UserFactory(is_staff=True)
    StaffForumAccess.objects.create(user=user).forums.set([chosen])

    assert staff_object_or_404(Forum.objects.all(), str(chosen.pk), user=user) == chosen
    for object_id in (str(other.pk), "999999", "abc"):
        with pytest.raises(Http404):
            staff_object_or_404(Forum.objects.all(), object_id, user=user)
