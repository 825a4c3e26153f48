"""The export page's form: which export, of which forum (a session for a roster, a check-in list for
attendance), in which format;
for the delegate list, which statuses and columns. Contact columns are offered only to staff who may
see contact details."""

from django import forms
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from events.models import Forum, Session

from ..enums import ACTIVE_STATUSES, RegistrationStatus
from ..models import CheckInList
from .tables import CONTACT_EXPORTS, DEFAULT_DELEGATE_COLUMNS, allowed_columns

KINDS = (
    ("delegates", _("Delegate list")),
    ("catering", _("Catering: diners and dietary requirements per meal")),
    ("rooming", _("Rooming list by hotel")),
    ("transfers", _("Airport transfer manifest")),
    ("visa_letters", _("Visa letter requests")),
    ("roster", _("Roster of a session")),
    ("attendance", _("Attendance: who is checked in on a check-in list")),
)
FORMATS = (("xlsx", _("Excel workbook (XLSX)")), ("csv", _("CSV (UTF-8, opens in Excel)")))


class _ColumnsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class ColumnsForm(forms.Form):
    """Columns and format: the part of the export page that an export of a selection also asks."""

    columns = _ColumnsField(label=_("Columns of the delegate list"), required=False)
    file_format = forms.ChoiceField(
        label=_("Format"), choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )

    def __init__(self, *args, contact: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(column.key, column.label) for column in allowed_columns(contact=contact)]
        self.fields["columns"].choices = choices
        offered = {key for key, _label in choices}
        self.fields["columns"].initial = [key for key in DEFAULT_DELEGATE_COLUMNS if key in offered]
        self.fields["columns"].help_text = _("None chosen: the usual columns.")


class ExportForm(ColumnsForm):
    field_order = ("forum", "kind", "session", "checkin_list", "statuses", "columns", "file_format")

    forum = forms.ModelChoiceField(label=_("Forum"), queryset=Forum.objects.none())
    kind = forms.ChoiceField(label=_("Export"), choices=KINDS, initial="delegates", widget=forms.RadioSelect)
    session = forms.ModelChoiceField(
        label=_("Session (for a roster)"), queryset=Session.objects.none(), required=False
    )
    checkin_list = forms.ModelChoiceField(
        label=_("Check-in list (for attendance)"), queryset=CheckInList.objects.none(), required=False
    )
    statuses = forms.MultipleChoiceField(
        label=_("Statuses (for the delegate list)"),
        choices=RegistrationStatus.choices,
        initial=list(ACTIVE_STATUSES),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, forums, contact: bool, **kwargs):
        super().__init__(*args, contact=contact, **kwargs)
        self.fields["forum"].queryset = forums
        if not contact:  # the exports made of contact details are not offered
            self.fields["kind"].choices = [(key, label) for key, label in KINDS if key not in CONTACT_EXPORTS]
        self.fields["session"].queryset = (
            Session.objects.filter(forum__in=forums).select_related("forum").order_by("forum", "starts_at")
        )
        self.fields["session"].label_from_instance = lambda session: f"{session.forum.name} — {session.title}"
        self.fields["checkin_list"].queryset = (
            CheckInList.objects.filter(forum__in=forums)
            .select_related("forum")
            .order_by("forum", F("day").asc(nulls_last=True), "name", "pk")
        )
        self.fields["checkin_list"].label_from_instance = lambda item: f"{item.forum.name} — {item.name}"

    def clean(self):
        data = super().clean()
        kind, forum, session = data.get("kind"), data.get("forum"), data.get("session")
        if kind == "roster":
            if session is None:
                self.add_error("session", _("Choose the session whose roster to export."))
            elif forum is not None and session.forum_id != forum.pk:
                self.add_error("session", _("This session belongs to another forum."))
        checkin_list = data.get("checkin_list")
        if kind == "attendance":
            if checkin_list is None:
                self.add_error("checkin_list", _("Choose the check-in list whose attendance to export."))
            elif forum is not None and checkin_list.forum_id != forum.pk:
                self.add_error("checkin_list", _("This check-in list belongs to another forum."))
        if kind == "delegates" and not data.get("statuses"):
            self.add_error("statuses", _("Choose at least one status."))
        return data
