import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class DelegatesConfig(AppConfig):
    name = "delegates"
    verbose_name = _("Delegates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from allauth.account.signals import email_changed, email_confirmed
        from celery.signals import worker_init, worker_process_init
        from django.db.models.signals import post_migrate

        # allauth is not one of our apps: its signal is how we hear that an account's address changed.
        email_changed.connect(_username_follows_email, dispatch_uid="delegates-username-follows-email")
        email_confirmed.connect(_registrations_follow_account, dispatch_uid="delegates-registrations-linked")

        # In a worker's main process, before the pool forks: its children inherit the loaded fonts.
        worker_init.connect(_warm_up_badge_rendering, weak=False, dispatch_uid="delegates-badge-warm-up")
        # When a worker starts, and when a pool process starts (one replacing a killed one): badge
        # files that runs killed before they could clean up are removed.
        worker_init.connect(_clean_render_folder, weak=False, dispatch_uid="delegates-render-clean")
        worker_process_init.connect(
            _clean_render_folder, weak=False, dispatch_uid="delegates-render-clean-process"
        )

        # The staff roles are what their names promise after every migrate (and after a flush, which
        # empties the groups the migrations made): a permission added later joins its roles at once.
        post_migrate.connect(_roles_sync, sender=self, dispatch_uid="delegates-roles-sync")


def _username_follows_email(*, user, to_email_address, **kwargs) -> None:
    from .mail.account_adapter import username_follow_email

    username_follow_email(user=user, email=to_email_address.email)


def _roles_sync(*, using, apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps
    from django.db import router

    from .permissions import roles_sync

    if router.allow_migrate(using, "auth"):
        roles_sync(apps=apps or global_apps)


def _registrations_follow_account(*, email_address, **kwargs) -> None:
    from .registration.services import registration_link_account

    registration_link_account(user=email_address.user, email=email_address.email)


def _warm_up_badge_rendering(**kwargs) -> None:
    """Load WeasyPrint, the fonts and the badge stylesheets once per worker, so the first badge or print
    job a delegate waits for is a warm one."""
    from .printing.rendering import render_warm_up

    try:
        render_warm_up()
    except Exception:  # a warm-up failure must never stop a worker; the first job pays the cost
        logger.exception("badge rendering warm-up failed")


def _clean_render_folder(**kwargs) -> None:
    """Remove the badge files of runs that were killed (folders of the private render folder that no
    living process holds)."""
    from .badges.workspace import render_workspace_clean

    try:
        render_workspace_clean()
    except Exception:  # a cleaning failure must never stop a worker; the next start tries again
        logger.exception("badge render folder not cleaned")
