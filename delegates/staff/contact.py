"""What only staff with ``VIEW_CONTACT_DETAILS`` see: a delegate's email address (and the accounts,
whose usernames are email addresses), phone, dietary, accessibility, travel and visa details, and the
texts that may quote them (the reasons in a registration's history, every outgoing email). The door
team and the read-only role see a delegate by name, honorific, category, organisation, city, country
and status only.

The admin hides these fields everywhere (``delegates.staff.admin_roles``): list columns, filters,
search, lookups in the URL, forms, inlines. An export or a staff view that shows a delegate asks
``may_see_contact_details`` and leaves them out too. A new field or column carrying such data is
added here.
"""

from django.db.models import Model

from ..permissions import VIEW_CONTACT_DETAILS

# Field names (and admin columns) per model, "app_label.model_name".
CONTACT_FIELDS: dict[str, frozenset[str]] = {
    "delegates.registration": frozenset(
        {
            "email",
            "user",
            "registered_by",
            "phone",
            "dietary",
            "dietary_other",
            "allergies",
            "accessibility_needs",
            "accompanying_persons",
            "arrival_date",
            "arrival_time",
            "arrival_flight",
            "departure_date",
            "departure_time",
            "departure_flight",
            "needs_airport_transfer",
            "hotel",
            "needs_visa_letter",
            # Relations whose rows quote contact data.
            "emails",
            "history",
        }
    ),
    # A correction's reason quotes the old and new email address.
    "delegates.statuschange": frozenset({"reason"}),
}

# Models every row of which is contact data: an email to a person, with its address and text (and the
# emails staff write to delegates, whose pages list the recipients).
CONTACT_MODELS = frozenset({"delegates.emailoutbox", "delegates.staffemail"})


def may_see_contact_details(user) -> bool:
    return user.has_perm(VIEW_CONTACT_DETAILS)


def contact_fields(model: type[Model]) -> frozenset[str]:
    return CONTACT_FIELDS.get(model._meta.label_lower, frozenset())


def is_contact_model(model: type[Model]) -> bool:
    return model._meta.label_lower in CONTACT_MODELS
