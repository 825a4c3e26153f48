"""Delegate categories in the admin (``delegates/registration/admin_categories.py``): the list counts
the confirmed registrations in one query, a category's form never moves it to another forum, and the
places it adds go to the waitlist at once (through ``category_update``, under the seat locks)."""

import psycopg
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from delegates.enums import EmailKind
from delegates.models import Registration
from tests.factories import DelegateCategoryFactory, ForumFactory

pytestmark = pytest.mark.django_db


def test_category_changelist_counts_confirmed_in_one_query(
    admin_client, forum, django_assert_num_queries, register
):
    mayors = DelegateCategoryFactory(
        forum=forum, name="Mayor / Governor", slug="mayor-governor", capacity=2, badge_colour="#b91c1c"
    )
    DelegateCategoryFactory(forum=forum, name="Media", slug="media")
    for n in range(3):
        register(forum, mayors, n)

    with django_assert_num_queries(6):
        response = admin_client.get(reverse("admin:delegates_delegatecategory_changelist"))

    rows = {c.name: c.confirmed_count for c in response.context["cl"].result_list}
    assert rows == {"Mayor / Governor": 2, "Media": 0}
    assert 'fill="#b91c1c"' in response.text
    assert "style=" not in response.text.split('id="result_list"')[1].split("</table>")[0]


def test_category_form_moves_no_category_between_forums(admin_client, forum):
    other_forum = ForumFactory()
    category = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor-governor")
    url = reverse("admin:delegates_delegatecategory_change", args=[category.pk])

    page = admin_client.get(url)
    response = admin_client.post(
        url,
        {
            "forum": other_forum.pk,
            "name": "Mayor / Governor",
            "slug": "mayor-governor",
            "capacity": "40",
            "protocol_rank": "10",
            "badge_colour": "#b91c1c",
            "is_public": "on",
            "_save": "1",
        },
    )

    assert 'type="color"' in page.text
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.forum, category.capacity, category.badge_colour) == (forum, 40, "#b91c1c")


def test_raising_capacity_in_the_category_form_promotes_the_waitlist_and_says_so(
    admin_client, forum, register
):
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor-governor", capacity=1)
    register(forum, mayors, 1)
    first, second, third = (register(forum, mayors, n) for n in (2, 3, 4))
    url = reverse("admin:delegates_delegatecategory_change", args=[mayors.pk])

    response = admin_client.post(
        url,
        {
            "name": "Mayor / Governor",
            "slug": "mayor-governor",
            "capacity": "3",
            "protocol_rank": "10",
            "badge_colour": "#b91c1c",
            "is_public": "on",
            "heads_of_local_government": "on",
            "_save": "1",
        },
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"2 delegates promoted from the waitlist and emailed ({first.reference}, {second.reference}).",
        f'The delegate category “<a href="{url}">Mayor / Governor</a>” was changed successfully.',
    ]
    statuses = dict(Registration.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    assert [r.kind for r in first.emails.order_by("id")] == [EmailKind.WAITLISTED, EmailKind.PROMOTED]
    mayors.refresh_from_db()
    assert (mayors.capacity, mayors.heads_of_local_government) == (3, True)


@pytest.mark.django_db(transaction=True)
def test_category_form_while_seats_are_locked_warns_and_saves_nothing(admin_client, forum, settings):
    settings.REGISTRATION_LOCK_TIMEOUT = 0.2
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor-governor", capacity=1)
    url = reverse("admin:delegates_delegatecategory_change", args=[mayors.pk])
    db = connection.settings_dict
    with psycopg.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"] or 5432
    ) as other:
        other.execute("SELECT id FROM events_forum WHERE id = %s FOR UPDATE", [forum.pk])
        response = admin_client.post(
            url,
            {
                "name": "Mayor / Governor",
                "slug": "mayor-governor",
                "capacity": "30",
                "protocol_rank": "10",
                "badge_colour": "#b91c1c",
                "_save": "1",
            },
        )
        other.rollback()

    assert response.status_code == 302
    assert response.url == url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Seats of this forum are being counted right now; nothing was saved, please try again."
    ]
    mayors.refresh_from_db()
    assert mayors.capacity == 1
