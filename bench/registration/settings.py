"""Settings of the registration benchmark: production's, unchanged, plus a URLconf that adds the
baseline page. Everything else (database, Redis, SMTP relay, secret) comes from the environment that
``bench/registration/run.py`` sets, exactly as in a deployment."""

from amf.settings.production import *  # noqa: F403 - the bench runs production's settings by design

ROOT_URLCONF = "bench.registration.urls"
