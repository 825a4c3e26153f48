"""Which forums a staff member works on: every forum, unless they are limited to chosen ones
(``StaffForumAccess``). Every staff list, action, export and view filters by this."""

from django.db.models import QuerySet

from ..models import StaffForumAccess


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


def staff_may_work_on(user, forum_id: int | None) -> bool:
    ids = staff_forum_ids(user)
    return ids is None or forum_id in ids


def staff_forum_filter(queryset: QuerySet, user, *, field: str = "forum") -> QuerySet:
    """``queryset`` restricted to the forums ``user`` works on (``field`` leads to the forum)."""
    ids = staff_forum_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})
