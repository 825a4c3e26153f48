"""The forms of emails to delegates: the words (subject and message, placeholders checked), and who
it goes to — a filter of a forum's registrations, or the selection of the registrations list."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.formatting import date_range
from events.models import Forum, Session

from ..enums import ACTIVE_STATUSES, RegistrationStatus
from ..models import DelegateCategory
from .placeholders import PLACEHOLDERS, placeholders_check


def _described(form: forms.Form) -> None:
    """Link each field to its help and errors (``aria-describedby``), as the admin's own pages do not."""
    for name, field in form.fields.items():
        ids = []
        if form.is_bound and form._errors and form._errors.get(name):
            ids.append(f"id_{name}_error")
            field.widget.attrs["aria-invalid"] = "true"
        if field.help_text:
            ids.append(f"id_{name}_helptext")
        if ids:
            field.widget.attrs["aria-describedby"] = " ".join(ids)


class MessageForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField", "autocomplete": "off"}),
        help_text=_("One line. Placeholders work here too, e.g. “Your visit on 5 October: {forum}”."),
    )
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 14, "cols": 70}),
        help_text=_(
            "Plain text: a blank line starts a new paragraph; web addresses become links. Placeholders "
            "in braces are filled for each delegate, e.g. “Dear {full_name},”. Write {{ or }} for a brace."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            _described(self)  # a bound form's errors are linked once it is cleaned (full_clean)

    def _placeholders(self, name: str) -> str:
        text = self.cleaned_data[name]
        placeholders_check(text)
        return text

    def clean_subject(self) -> str:
        return self._placeholders("subject")

    def clean_body(self) -> str:
        return self._placeholders("body")

    def full_clean(self):
        super().full_clean()
        _described(self)

    @staticmethod
    def placeholders() -> list[tuple[str, str]]:
        return [("{" + name + "}", label) for name, label in PLACEHOLDERS.items()]


STATUS_CHOICES = RegistrationStatus.choices


class FilterForm(MessageForm):
    """A forum and a filter of its registrations, then the words."""

    field_order = ["forum", "statuses", "category", "country", "arrival_date", "session", "hotel"]

    forum = forms.ModelChoiceField(label=_("Forum"), queryset=Forum.objects.none())
    statuses = forms.MultipleChoiceField(
        label=_("Status"),
        choices=STATUS_CHOICES,
        initial=list(ACTIVE_STATUSES),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cancelled and rejected registrations are written to only if you tick them."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=DelegateCategory.objects.none(), required=False, empty_label=_("Any")
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    arrival_date = forms.DateField(
        label=_("Arriving on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    session = forms.ModelChoiceField(
        label=_("Signed up for"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("Any (or none)"),
        help_text=_("A site visit or side event: delegates with a place or on its waitlist."),
    )
    hotel = forms.CharField(
        label=_("Hotel"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "vTextField"}),
        help_text=_("As delegates wrote it (the registrations list's hotel filter shows them)."),
    )

    def __init__(self, *args, forums: QuerySet[Forum], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forum"].queryset = forums
        categories = DelegateCategory.objects.filter(forum__in=forums).select_related("forum")
        self.fields["category"].queryset = categories.order_by("forum__start_date", "protocol_rank", "name")
        self.fields["category"].label_from_instance = lambda c: f"{c.name} · {c.forum.name}"
        sessions = Session.objects.filter(forum__in=forums, requires_signup=True).select_related("forum")
        self.fields["session"].queryset = sessions.order_by("forum__start_date", "starts_at", "id")
        self.fields["session"].label_from_instance = lambda s: f"{s.title} · {s.forum.name}"
        self.fields["country"].choices = [("", gettext("Any")), *countries]

    def clean(self):
        data = super().clean()
        forum = data.get("forum")
        if forum is not None:
            for name in ("category", "session"):
                chosen = data.get(name)
                if chosen is not None and chosen.forum_id != forum.pk:
                    self.add_error(name, gettext("Choose one of the forum's own, or none."))
        return data

    def criteria(self) -> dict:
        data = self.cleaned_data
        return {
            "statuses": list(data["statuses"]),
            "category": data["category"].pk if data["category"] else None,
            "country": data["country"],
            "arrival_date": data["arrival_date"].isoformat() if data["arrival_date"] else "",
            "session": data["session"].pk if data["session"] else None,
            "hotel": data["hotel"].strip(),
        }

    def description(self) -> str:
        """The filter in words, for the list of emails: "Confirmed · Mayor · Thailand · arriving on …"."""
        data = self.cleaned_data
        labels = dict(STATUS_CHOICES)
        parts = [", ".join(str(labels[s]) for s in data["statuses"])]
        if data["category"]:
            parts.append(gettext("category %(name)s") % {"name": data["category"].name})
        if data["country"]:
            parts.append(str(countries.name(data["country"])))
        if data["arrival_date"]:
            parts.append(
                gettext("arriving on %(date)s")
                % {"date": date_range(data["arrival_date"], data["arrival_date"])}
            )
        if data["session"]:
            parts.append(gettext("signed up for %(title)s") % {"title": data["session"].title})
        if data["hotel"]:
            parts.append(gettext("hotel %(hotel)s") % {"hotel": data["hotel"].strip()})
        return " · ".join(parts)


class SelectionForm(MessageForm):
    """The words of an email to the registrations ticked in the list."""

    include_inactive = forms.BooleanField(
        label=_("Also write to the cancelled and rejected registrations of the selection"), required=False
    )

    def __init__(self, *args, inactive: int, **kwargs):
        super().__init__(*args, **kwargs)
        if not inactive:
            del self.fields["include_inactive"]


class PreviewForm(forms.Form):
    """Which recipient the preview shows."""

    registration = forms.TypedChoiceField(label=_("Show it as received by"), coerce=int)

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].choices = choices


__all__ = ["FilterForm", "MessageForm", "PreviewForm", "SelectionForm"]
