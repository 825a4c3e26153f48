"""Settings of the badge benchmark: production's, unchanged. Everything else (database, media folder,
secret) comes from the environment that ``bench/badges/run.py`` sets, exactly as in a deployment."""

from amf.settings.production import *  # noqa: F403 - the bench runs production's settings by design
