"""Demo content: the 2022 pre-ASEAN Mayors Forum in Surabaya and an upcoming forum with registration
open, loaded by ``manage.py seed_demo`` (``seeding.demo_seed``).

Every person here is FICTIONAL: names, biographies and quotes are invented for the demo; positions and
cities are realistic so that the programme reads like a real one. Do not replace them with real people.
The data lives in ``speakers.py``, ``surabaya_2022.py`` and ``upcoming.py``; ``seeding.py`` loads it.
"""

from .seeding import DEMO_STAFF_EMAIL, DEMO_STAFF_PASSWORD, SeedResult, demo_seed, demo_staff_ensure

__all__ = ["DEMO_STAFF_EMAIL", "DEMO_STAFF_PASSWORD", "SeedResult", "demo_seed", "demo_staff_ensure"]
