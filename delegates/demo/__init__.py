"""The delegates' demo data: delegate categories for both demo forums and about sixty registrations in
every status and every script the product supports, a site visit nearly full and the first badges
printed — loaded by ``manage.py seed_demo`` after the forums of ``events/demo/``; and each forum's check-in
lists (``checkin.py``).

Every person here is FICTIONAL: names are invented (some from the project's sample names), positions
and cities are realistic, and every email address is on ``example.org``, which can never receive mail.
Do not replace them with real people. The data lives in ``categories.py``, ``amf_2027.py`` and
``pre_amf_2022.py``; ``seeding.py`` loads it through the registration and printing services. The demo's
staff accounts, one per role (``staff.py``, on the reserved ``.example`` domain), are made by
``seed_demo --with-staff`` only.
"""

from .checkin import checkin_demo_seed
from .seeding import EMAIL_NOTE, DelegatesSeedResult, delegates_demo_seed

__all__ = ["EMAIL_NOTE", "DelegatesSeedResult", "checkin_demo_seed", "delegates_demo_seed"]
