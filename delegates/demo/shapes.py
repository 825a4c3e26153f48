"""The shapes of the delegates' demo data: a forum's delegate categories, its delegates and what happens
to each registration over the weeks registration is open (a timeline the seeding replays through the
registration services)."""

from dataclasses import dataclass, field

from ..enums import BadgeOrder, Dietary

# A timeline is written in days after registration opened, out of this many; the seeding stretches it
# over the time registration has really been open (see ``seeding.moment``).
TIMELINE_DAYS = 30


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    capacity: int | None
    protocol_rank: int
    badge_colour: str  # the badge band; its text is dark or white, whichever contrasts more
    requires_approval: bool = False
    is_public: bool = True  # False: staff assign it, the public form does not offer it
    heads_of_local_government: bool = False  # its delegates come first in protocol order
    by_invitation: bool = False  # only invitees register in it, through their personal link


@dataclass(frozen=True)
class DemoInvitee:
    """A person the secretariat invited to an invitation-only category (fictional)."""

    category: str  # its slug
    name: str
    position: str
    city: str
    country: str
    email: str
    revoked: bool = False  # the secretariat withdrew the invitation


@dataclass(frozen=True)
class Flight:
    day: int  # relative to the forum's first day (-1: the day before)
    time: str  # "HH:MM", local time at the forum
    number: str  # "TG 561"


@dataclass(frozen=True)
class Travel:
    arrival: Flight | None = None
    departure: Flight | None = None
    airport_transfer: bool = False
    hotel: str = ""
    visa_letter: bool = False


@dataclass(frozen=True)
class Approve:
    """Staff approve a pending registration (it takes a seat, or joins the waitlist when full)."""

    day: float


@dataclass(frozen=True)
class Reject:
    day: float
    reason: str


@dataclass(frozen=True)
class Cancel:
    """The delegate cancels (their seat goes to the first on the waitlist)."""

    day: float
    reason: str = ""


Action = Approve | Reject | Cancel


@dataclass(frozen=True)
class DemoDelegate:
    """One fictional delegate and their registration. ``email`` (a reserved ``example.org`` address
    that can never be delivered) finds the registration again on the next seeding."""

    category: str  # DemoCategory.slug
    day: float  # when they registered (TIMELINE_DAYS scale)
    honorific: str
    given_name: str
    family_name: str
    badge_name: str
    position: str
    organisation: str
    city: str
    country: str
    email: str
    native: tuple[str, str] | None = None  # (NativeScript value, the name in that script)
    phone: str = ""
    dietary: str = Dietary.NONE
    dietary_other: str = ""
    allergies: str = ""
    accessibility_needs: str = ""
    accompanying_persons: str = ""
    travel: Travel | None = None
    media_consent: bool = True
    signups: tuple[str, ...] = ()  # slugs of sessions that need sign-up
    then: tuple[Action, ...] = ()  # what happens to the registration afterwards, in order


@dataclass(frozen=True)
class PrintBadges:
    """On ``day``, an organiser prints the badges of the confirmed delegates of ``category``."""

    day: float
    category: str
    order: str = BadgeOrder.PROTOCOL


@dataclass(frozen=True)
class DemoForumDelegates:
    forum_slug: str
    categories: list[DemoCategory]
    delegates: list[DemoDelegate]
    print_jobs: list[PrintBadges] = field(default_factory=list)
    invitees: list[DemoInvitee] = field(default_factory=list)
