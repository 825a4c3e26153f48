"""The admin of delegates, one module per capability; importing them here registers them (Django's
admin autodiscovery imports ``<app>.admin``). Then every ModelAdmin of events and delegates gets the
staff roles' rules (``staff/admin_roles.py``): forum-limited staff, contact details."""

from .checkin import admin as checkin_admin
from .dashboard import admin as dashboard_admin
from .invitations import admin as invitations_admin
from .mail import admin as mail_admin
from .mail import staff_email_admin
from .printing import admin as printing_admin
from .registration import admin as registration_admin
from .registration import admin_capacity, admin_categories
from .staff import admin as staff_admin
from .staff.admin_roles import staff_roles_apply

__all__ = [
    "admin_capacity",
    "admin_categories",
    "checkin_admin",
    "dashboard_admin",
    "invitations_admin",
    "mail_admin",
    "printing_admin",
    "registration_admin",
    "staff_admin",
    "staff_email_admin",
]

staff_roles_apply()
