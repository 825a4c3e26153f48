"""The admin of delegates, one module per capability; importing them here registers them (Django's
admin autodiscovery imports ``<app>.admin``)."""

from .mail import admin as mail_admin
from .printing import admin as printing_admin
from .registration import admin as registration_admin
from .registration import admin_capacity, admin_categories
from .staff import admin as staff_admin

__all__ = [
    "admin_capacity",
    "admin_categories",
    "mail_admin",
    "printing_admin",
    "registration_admin",
    "staff_admin",
]
