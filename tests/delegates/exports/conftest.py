"""The forum every export test reads: delegates in Khmer, Thai, Burmese and Vietnamese with travel,
hotel, dietary and visa details, one of them cancelled; and a registrar."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from delegates.enums import Dietary, RegistrationStatus
from delegates.permissions import REGISTRARS
from tests.factories import DelegateCategoryFactory, ForumFactory, RegistrationFactory, UserFactory


def in_role(name: str, email: str):
    user = UserFactory(username=email, email=email, is_staff=True)
    user.groups.add(Group.objects.get(name=name))
    return user


@pytest.fixture
def forum():
    forum = ForumFactory(name="ASEAN Mayors Forum 2031", slug="amf-2031", time_zone="Asia/Jakarta")
    mayors = DelegateCategoryFactory(forum=forum, name="Mayor / Governor", slug="mayor", protocol_rank=1)
    officials = DelegateCategoryFactory(forum=forum, name="City official", slug="official", protocol_rank=5)
    RegistrationFactory(
        category=mayors,
        reference="KH01-0001",
        honorific="H.E.",
        given_name="Sopheaktra",
        family_name="Chan",
        name_order="family_first",
        native_name="ចាន់ សុភ័ក្ត្រា",
        native_name_lang="km",
        city="Phnom Penh",
        country="KH",
        email="chan.sopheaktra@phnompenh.example.org",
        phone="+85512345678",
        dietary=Dietary.HALAL,
        allergies="Peanuts",
        hotel="Hotel Majapahit",
        arrival_date=dt.date(2031, 10, 5),
        arrival_time=dt.time(14, 35),
        arrival_flight="QZ 7512",
        departure_date=dt.date(2031, 10, 8),
        needs_airport_transfer=True,
        needs_visa_letter=True,
    )
    RegistrationFactory(
        category=officials,
        reference="TH01-0002",
        honorific="Mr.",
        given_name="Somchai",
        family_name="Jaidee",
        native_name="สมชาย ใจดี",
        native_name_lang="th",
        city="Bangkok",
        country="TH",
        email="somchai.j@bangkok.example.org",
        dietary=Dietary.OTHER,
        dietary_other="No pork, no beef",
        hotel="",
        arrival_date=dt.date(2031, 10, 5),
        arrival_time=dt.time(9, 10),
        arrival_flight="TG 433",
        needs_airport_transfer=True,
    )
    RegistrationFactory(
        category=officials,
        reference="MM01-0003",
        honorific="Daw",
        given_name='=HYPERLINK("http://attacker.example")',
        family_name="Aye",
        native_name="အေးအေး",
        native_name_lang="my",
        country="MM",
        email="aye@yangon.example.org",
        hotel="Bumi Surabaya",
        arrival_date=dt.date(2031, 10, 4),
        departure_date=dt.date(2031, 10, 7),
    )
    RegistrationFactory(
        category=officials,
        reference="VN01-0004",
        status=RegistrationStatus.CANCELLED,
        given_name="An",
        family_name="Nguyễn",
        native_name="Nguyễn Văn An",
        country="VN",
        needs_visa_letter=True,
    )
    return forum


@pytest.fixture
def registrar(db):
    return in_role(REGISTRARS, "registrar@uclg-aspac.example.org")
