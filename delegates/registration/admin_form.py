"""The registration's change form in the admin: what staff correct (category, email address, the
head-of-local-government mark, details) and the note kept with it in the history. It is saved through
``corrections.registration_correct``; the form says next to a field what that service would refuse
(a full category, an email address another registration has), so nothing typed is lost."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..enums import ACTIVE_STATUSES, RegistrationStatus
from ..models import DelegateCategory, Registration
from .corrections import registration_correction_problems
from .fields import InternationalPhoneField, phone_region
from .rules import EditRefusal, registration_edit_refusal
from .services import EDITABLE_FIELDS

CORRECTED_FIELDS = ("category", "email", "is_head_of_local_government", *EDITABLE_FIELDS)


def category_choices(*, forum_id: int) -> QuerySet[DelegateCategory]:
    """The forum's categories (staff-only ones too), with their confirmed seats (``confirmed``)."""
    return (
        DelegateCategory.objects.filter(forum_id=forum_id)
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
        )
        .order_by("protocol_rank", "name")
    )


def category_label(category: DelegateCategory) -> str:
    """“Mayor / Governor (38 of 40 places confirmed)”: staff see where there is room."""
    if category.capacity is None:
        return gettext("%(name)s (%(confirmed)d confirmed, no limit)") % {
            "name": category.name,
            "confirmed": category.confirmed,
        }
    return gettext("%(name)s (%(confirmed)d of %(capacity)d places confirmed)") % {
        "name": category.name,
        "confirmed": category.confirmed,
        "capacity": category.capacity,
    }


class RegistrationAdminForm(forms.ModelForm):
    change_note = forms.CharField(
        label=_("Note for the history"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_(
            "Optional: why, e.g. “at the delegate's request, by phone”. Kept in the status history after "
            "what changed, and quoted in the email to the delegate, who can read both."
        ),
    )

    class Meta:
        model = Registration
        fields = CORRECTED_FIELDS
        field_classes = {"phone": InternationalPhoneField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phone = self.fields.get("phone")
        if phone is not None:
            # As on the delegate's form: a number as dialled in the delegate's country is read there.
            country = self.data.get(self.add_prefix("country")) if self.is_bound else None
            phone.region = phone_region(
                country or (self.instance.country.code if self.instance.country else "")
            )
        if set(self.fields) == {"change_note"}:  # nothing to correct (read-only page): no note either
            del self.fields["change_note"]
        category = self.fields.get("category")
        if category is not None and self.instance.pk:
            category.queryset = category_choices(forum_id=self.instance.forum_id)
            category.label_from_instance = category_label
            category.help_text = _(
                "A confirmed delegate moves only into a category with a free place; the place they leave "
                "goes to the first delegate on the waitlist."
            )

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk or not self.has_changed():
            return cleaned
        if self.instance.status not in ACTIVE_STATUSES:
            raise ValidationError(inactive_note(), code="inactive")
        changed = set(self.changed_data)
        if changed == {"change_note"}:
            self.add_error(
                "change_note", gettext("A note is kept with a correction; nothing else was changed.")
            )
            return cleaned
        problems = registration_correction_problems(
            registration=self.instance,
            category=cleaned.get("category") if "category" in changed else None,
            email=cleaned.get("email") if "email" in changed else None,
        )
        for name, message in problems.items():
            self.add_error(name, message)
        return cleaned

    def correction(self) -> dict:
        """The arguments of ``registration_correct`` for what was changed (a field left alone is not
        passed, so that a category's default mark applies when only the category changes)."""
        changed = set(self.changed_data)
        cleaned = self.cleaned_data
        return {
            "data": {name: cleaned[name] for name in EDITABLE_FIELDS if name in changed},
            "category": cleaned["category"] if "category" in changed else None,
            "email": cleaned["email"] if "email" in changed else None,
            "is_head_of_local_government": (
                cleaned["is_head_of_local_government"] if "is_head_of_local_government" in changed else None
            ),
            "note": cleaned.get("change_note", ""),
        }


def inactive_note() -> str:
    return gettext("This registration is no longer active; its details can no longer be changed.")


def form_note(registration: Registration, *, can_change: bool) -> str:
    """What the top of the change form says about who may still change the registration, or ""."""
    refusal = registration_edit_refusal(registration=registration)
    if refusal == EditRefusal.INACTIVE:
        return inactive_note()
    if refusal is None:
        return ""
    if can_change:
        return gettext(
            "The delegates' deadline for changes has passed: the delegate can no longer change this "
            "registration, but your corrections are saved and the delegate is emailed about them."
        )
    return gettext("The delegates' deadline for changes has passed.")
