"""Delegate categories in the admin (``delegates/registration/admin_categories.py``): the list counts
the confirmed registrations in one query, and a category's form never moves it to another forum."""

import pytest
from django.urls import reverse

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
