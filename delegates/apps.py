import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Delegates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import worker_init

        # In a worker's main process, before the pool forks: its children inherit the loaded fonts.
        worker_init.connect(_warm_up_badge_rendering, weak=False, dispatch_uid="delegates-badge-warm-up")


def _warm_up_badge_rendering(**kwargs) -> None:
    """Load WeasyPrint, the fonts and the badge stylesheets once per worker, so the first badge or print
    job a delegate waits for is a warm one."""
    from .printing.rendering import render_warm_up

    try:
        render_warm_up()
    except Exception:  # a warm-up failure must never stop a worker; the first job pays the cost
        logger.exception("badge rendering warm-up failed")
