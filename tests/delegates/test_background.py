"""The one way to hand work to the worker (``delegates/background.py``): held back on purpose, nothing
is enqueued, now or after commit, and the block says once how many tasks it held back. The broker
being down is tested with the outbox (tests/delegates/mail/test_outbox.py) and print jobs."""

import logging

import pytest

from delegates import background

pytestmark = pytest.mark.django_db


def test_enqueue_held_back_enqueues_nothing_and_says_so_once(django_capture_on_commit_callbacks, caplog):
    down = []

    with (
        caplog.at_level(logging.INFO, logger="delegates.background"),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        with background.enqueue_held_back(why="bulk load"):
            background.enqueue_on_commit(background.RENDER_BADGE, 1, on_broker_down=lambda: down.append(1))
            background.enqueue_on_commit(background.SEND_EMAIL, 2)
            published = background.enqueue(background.SEND_EMAIL, 3, on_broker_down=lambda: down.append(3))
        background.enqueue_on_commit(background.RENDER_BADGE, 4)  # after the block: as always

    assert (published, down, len(callbacks)) == (False, [], 1)
    assert [record.getMessage() for record in caplog.records] == [
        "3 background tasks not enqueued: bulk load"
    ]


def test_enqueue_held_back_logs_nothing_when_nothing_was_held(caplog):
    with caplog.at_level(logging.INFO, logger="delegates.background"), background.enqueue_held_back(why="x"):
        pass

    assert caplog.records == []
