"""Which forums a staff member works on: every forum, unless they are limited to chosen ones
(``StaffForumAccess``). Every staff list, action, export and view filters by this: ``staff_scope``
narrows any queryset of the two apps to the user's forums, ``staff_object_or_404`` finds one row of
a staff URL in them."""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from events.models import Forum, SessionSpeaker, Speaker

from ..models import StaffForumAccess

# How a row leads to its forum, where that is not a ``forum`` foreign key of its own.
FORUM_PATHS = {
    "events.forum": "pk",
    "events.sessionspeaker": "session__forum",
    "delegates.emailoutbox": "registration__forum",  # account emails (no registration): no forum
    "delegates.sessionsignup": "registration__forum",
    "delegates.statuschange": "registration__forum",
    "delegates.printjobitem": "job__forum",
    "delegates.checkin": "list__forum",
    "delegates.checkinscan": "list__forum",
    "delegates.retiredcheckintoken": "registration__forum",
}


def staff_forum_ids(user) -> set[int] | None:
    """The ids of the forums ``user`` may work on, or None for every forum (superusers, and staff not
    limited to chosen forums). Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_amf_forum_ids", False)
    if cached is not False:
        return cached
    ids: set[int] | None = None
    if not user.is_superuser:
        access = StaffForumAccess.objects.filter(user=user).prefetch_related("forums").first()
        if access is not None:
            ids = {forum.pk for forum in access.forums.all()}
    user._amf_forum_ids = ids
    return ids


def staff_is_forum_limited(user) -> bool:
    return staff_forum_ids(user) is not None


def staff_may_work_on(user, forum_id: int | None) -> bool:
    ids = staff_forum_ids(user)
    return ids is None or forum_id in ids


def staff_forum_filter(queryset: QuerySet, user, *, field: str = "forum") -> QuerySet:
    """``queryset`` restricted to the forums ``user`` works on (``field`` leads to the forum)."""
    ids = staff_forum_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def forum_path(model: type[Model]) -> str | None:
    """The lookup from a row of ``model`` to its forum, or None when it belongs to no forum."""
    label = model._meta.label_lower
    if label in FORUM_PATHS:
        return FORUM_PATHS[label]
    try:
        field = model._meta.get_field("forum")
    except FieldDoesNotExist:
        return None
    return "forum" if field.is_relation and field.related_model is Forum else None


def staff_scope(queryset: QuerySet, user) -> QuerySet:
    """``queryset`` (of any model of events or delegates) narrowed to what ``user`` may see of it: for
    staff limited to chosen forums, the rows of those forums. Speakers belong to no forum: such staff
    see those on their forums' programmes and those on none yet (just added). Other rows that belong
    to no forum — the forum access of staff included — are not shown to them at all."""
    ids = staff_forum_ids(user)
    if ids is None:
        return queryset
    model = queryset.model
    if model is Speaker:
        on_programme = SessionSpeaker.objects.values("speaker")
        return queryset.filter(
            Q(pk__in=on_programme.filter(session__forum__in=ids)) | ~Q(pk__in=on_programme)
        )
    path = forum_path(model)
    if path is None:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": ids})


def staff_object_or_404(queryset: QuerySet, object_id: str, *, user) -> Model:
    """The row of a staff URL's ``object_id`` (digits only) among those ``user`` may see, or 404 — the
    same answer for a row of another forum as for one that does not exist."""
    if not str(object_id).isdigit():
        raise Http404("Not found")
    return get_object_or_404(staff_scope(queryset, user), pk=object_id)
