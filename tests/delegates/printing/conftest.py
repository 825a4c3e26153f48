"""Scenarios of the printing tests: a forum with five confirmed delegates to print (and two who get no
badge), an organiser who may print, and a finished job."""

import pytest

from delegates.enums import RegistrationStatus
from delegates.printing.runner import print_job_run
from tests.delegates.accounts import staff_user
from tests.delegates.printing.jobs import start
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory


@pytest.fixture
def forum():
    return ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-badges")


@pytest.fixture
def delegates(forum):
    """Five confirmed delegates in three categories (two of equal protocol rank), with accents, case
    and a letter Unicode does not decompose (Đ); plus a waitlisted one and one of another forum."""
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", protocol_rank=10)
    partners = DelegateCategoryFactory(
        forum=forum, name="Partner organisation", slug="partner", protocol_rank=50
    )
    observers = DelegateCategoryFactory(forum=forum, name="Observer", slug="observer", protocol_rank=50)

    def confirmed(category, badge_name, family_name, country, city, head=False):
        return RegistrationFactory(
            category=category,
            badge_name=badge_name,
            given_name=badge_name.split()[0],
            family_name=family_name,
            country=country,
            city=city,
            is_head_of_local_government=head,
        )

    people = {
        "zoe": confirmed(mayors, "Zoë Adams", "Adams", "TH", "Bangkok", head=True),
        "elise": confirmed(mayors, "élise Martin", "Martin", "ID", "Surabaya"),
        "ana": confirmed(mayors, "Ana Nguyễn", "Nguyễn", "VN", "Đà Nẵng", head=True),
        "edward": confirmed(partners, "Edward Ong", "Ong", "SG", "Singapore"),
        "ngo": confirmed(observers, "Ngo Bao", "Ngo", "VN", "Hanoi"),
    }
    RegistrationFactory(category=mayors, badge_name="Waiting Person", status=RegistrationStatus.WAITLISTED)
    RegistrationFactory(badge_name="Other Forum")
    return people


@pytest.fixture
def organiser():
    return staff_user(
        "organiser", "view_registration", "change_registration", "print_badges", "view_printjob"
    )


@pytest.fixture
def done_job(forum, delegates, settings):
    settings.BADGE_RENDER_PROCESSES = 1
    job = start(forum)
    print_job_run(job_id=job.pk)
    job.refresh_from_db()
    return job
