"""A session lies inside its forum's dates, ends after it starts and never double-books a room: the
friendly check (Session.clean) and the database's guarantee (the PostgreSQL exclusion constraint)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.models import Session
from tests.factories import JAKARTA, ForumFactory, RoomFactory, SessionFactory, TrackFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A moment on October ``day``, 2030, Jakarta time (the factories' forum runs 6–7 October 2030)."""
    return dt.datetime(2030, 10, day, hour, minute, tzinfo=JAKARTA)


def test_session_clean_accepts_a_session_inside_the_forum():
    session = SessionFactory.build(forum=ForumFactory(), starts_at=at(6, 9), ends_at=at(6, 10))

    session.full_clean()  # no error


def test_session_clean_rejects_an_end_before_the_start():
    session = SessionFactory.build(forum=ForumFactory(), starts_at=at(6, 10), ends_at=at(6, 9))

    with pytest.raises(ValidationError) as error:
        session.clean()

    assert error.value.message_dict == {"ends_at": ["A session must end after it starts."]}


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        (at(5, 9), at(5, 10)),  # the day before
        (at(8, 9), at(8, 10)),  # the day after
        (at(7, 23), at(8, 0, 30)),  # runs past midnight of the last day
    ],
)
def test_session_clean_rejects_a_session_outside_the_forum_dates(starts_at, ends_at):
    session = SessionFactory.build(forum=ForumFactory(), starts_at=starts_at, ends_at=ends_at)

    with pytest.raises(ValidationError) as error:
        session.clean()

    assert error.value.message_dict == {
        "starts_at": ["A session must take place within the forum's dates (2030-10-06 – 2030-10-07)."]
    }


def test_session_clean_uses_the_forum_local_date():
    # 23:30 UTC on 5 October is 06:30 on 6 October in Jakarta: the first day of the forum.
    starts = dt.datetime(2030, 10, 5, 23, 30, tzinfo=dt.UTC)
    session = SessionFactory.build(
        forum=ForumFactory(), starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )

    session.clean()  # no error


def test_session_clean_rejects_a_double_booked_room():
    room = RoomFactory(name="Main Hall")
    SessionFactory(
        forum=room.forum, room=room, title="Opening plenary", starts_at=at(6, 9), ends_at=at(6, 10)
    )
    session = SessionFactory.build(forum=room.forum, room=room, starts_at=at(6, 9, 30), ends_at=at(6, 11))

    with pytest.raises(ValidationError) as error:
        session.clean()

    assert error.value.message_dict == {
        "room": ["Main Hall is already booked for “Opening plenary” at that time."]
    }


def test_session_clean_accepts_back_to_back_sessions_in_one_room():
    room = RoomFactory()
    SessionFactory(forum=room.forum, room=room, starts_at=at(6, 9), ends_at=at(6, 10))
    session = SessionFactory.build(forum=room.forum, room=room, starts_at=at(6, 10), ends_at=at(6, 11))

    session.clean()  # no error


def test_session_clean_rejects_a_room_and_track_of_another_forum():
    forum = ForumFactory()
    session = SessionFactory.build(
        forum=forum, room=RoomFactory(), track=TrackFactory(), starts_at=at(6, 9), ends_at=at(6, 10)
    )

    with pytest.raises(ValidationError) as error:
        session.clean()

    assert error.value.message_dict == {
        "room": ["This room belongs to another forum."],
        "track": ["This track belongs to another forum."],
    }


def test_exclusion_constraint_rejects_an_overlapping_insert():
    room = RoomFactory()
    SessionFactory(forum=room.forum, room=room, starts_at=at(6, 9), ends_at=at(6, 10))

    with pytest.raises(IntegrityError, match="session_room_no_overlap"), transaction.atomic():
        Session.objects.create(
            forum=room.forum,
            room=room,
            title="Clash",
            slug="clash",
            starts_at=at(6, 9, 59),
            ends_at=at(6, 11),
        )

    assert Session.objects.filter(room=room).count() == 1


def test_exclusion_constraint_allows_back_to_back_other_rooms_and_no_room():
    room = RoomFactory()
    other_room = RoomFactory(forum=room.forum)
    SessionFactory(forum=room.forum, room=room, starts_at=at(6, 9), ends_at=at(6, 10))

    Session.objects.create(
        forum=room.forum, room=room, title="Next", slug="next", starts_at=at(6, 10), ends_at=at(6, 11)
    )
    Session.objects.create(
        forum=room.forum,
        room=other_room,
        title="Parallel",
        slug="parallel",
        starts_at=at(6, 9),
        ends_at=at(6, 10),
    )
    Session.objects.create(
        forum=room.forum, title="Site visit", slug="visit", starts_at=at(6, 9), ends_at=at(6, 12)
    )
    Session.objects.create(
        forum=room.forum, title="Lunch", slug="lunch", starts_at=at(6, 9), ends_at=at(6, 12)
    )

    assert Session.objects.filter(forum=room.forum).count() == 5
