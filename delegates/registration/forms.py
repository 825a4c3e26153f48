"""The delegate registration form and its edit form.

Forms parse and check what was typed and say what is wrong next to the field; the rules that decide a
status or a seat live in ``services.py``. Lengths come from the model, so the form
refuses what the database would refuse, with a message instead of an error page.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

from django import forms
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models import Forum, Session

from ..badges.printable import NAME_FIELDS, PRINTED_TEXT_FIELDS, text_problem
from ..enums import Dietary, NameOrder, RegistrationStatus, SignupStatus
from ..models import DelegateCategory, Registration, SessionSignup
from .fields import (
    CountryChoiceField,
    InternationalPhoneField,
    LongSelect,
    date_widget,
    flight_widget,
    phone_region,
    time_widget,
)
from .names import FAMILY_FIRST_COUNTRIES, FAMILY_FIRST_SCRIPTS, name_order_suggested, person_name
from .selectors import category_list_public, forum_seats_left, session_list_for_signup
from .services import EDITABLE_FIELDS

HONORIFICS = (
    "H.E.", "Hon.", "Dr.", "Prof.", "Mr.", "Ms.", "Mrs.", "Dato'", "Datuk", "Dato' Sri", "Tan Sri", "Pehin",
    "Awang", "Dayang", "Haji", "Hajah", "U", "Daw", "Ibu", "Bapak", "Khun", "Nai", "Nang", "Ông", "Bà",
    "Sr.", "Sra.", "Atty.", "Engr.",
)  # fmt: skip

# How far from the forum's dates an arrival or departure may be: further is almost always a typo in the
# year or the month.
TRAVEL_WINDOW = dt.timedelta(days=30)


@dataclass(frozen=True)
class CategoryOption:
    radio: forms.boundfield.BoundWidget
    category: DelegateCategory
    needs_approval: bool
    waitlist: bool
    seats_left: int | None


@dataclass(frozen=True)
class SessionOption:
    checkbox: forms.boundfield.BoundWidget
    session: Session
    seats_left: int | None
    waitlist: bool
    current_status: str  # the registration's sign-up status for this session (edit form), or ""
    current: SessionSignup | None = None  # that sign-up, which says what it means (``state``)


# The sections of the form, in order: (anchor, step title, field names). Templates render them as
# fieldsets and as the step list at the top.
SECTIONS = (
    ("delegate", pgettext_lazy("form step", "Delegate"),
     ("category", "honorific", "given_name", "family_name", "native_name", "native_name_lang", "name_order",
      "badge_name")),
    ("position", pgettext_lazy("form step", "Position"), ("position", "organisation", "city", "country")),
    ("contact", pgettext_lazy("form step", "Contact"), ("email", "phone")),
    ("travel", pgettext_lazy("form step", "Travel and needs"),
     ("arrival_date", "arrival_time", "arrival_flight", "departure_date", "departure_time",
      "departure_flight", "needs_airport_transfer", "hotel", "needs_visa_letter", "dietary", "dietary_other",
      "allergies", "accessibility_needs", "accompanying_persons")),
    ("sessions", pgettext_lazy("form step", "Sessions"), ("sessions",)),
    ("consent", pgettext_lazy("form step", "Consent"), ("media_consent", "privacy_consent")),
)  # fmt: skip


class DelegateDetailsForm(forms.ModelForm):
    """The delegate's details and session choices: what the delegate may change after registering."""

    sessions = forms.ModelMultipleChoiceField(
        label=_("Sessions that need sign-up"),
        queryset=Session.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Places are limited. A registration that waits for approval, or on the waitlist, gets its places "
            "once it is confirmed, if they are still free. When a session is full you join its waitlist."
        ),
        error_messages={
            "invalid_choice": _("Please choose among the sessions listed."),
            "invalid_pk_value": _("Please choose among the sessions listed."),
            "invalid_list": _("Please choose among the sessions listed."),
        },
    )

    class Meta:
        model = Registration
        fields = list(EDITABLE_FIELDS)
        field_classes = {"phone": InternationalPhoneField}
        widgets = {
            "honorific": forms.TextInput(
                attrs={"list": "honorific-options", "autocomplete": "honorific-prefix"}
            ),
            "given_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "badge_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "native_name": forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
            "position": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
            "name_order": forms.RadioSelect,
            "dietary": forms.RadioSelect,
            "allergies": forms.TextInput,
            "accessibility_needs": forms.Textarea(attrs={"rows": 3}),
            "accompanying_persons": forms.Textarea(attrs={"rows": 3}),
            "arrival_date": date_widget(),
            "arrival_time": time_widget(),
            "arrival_flight": flight_widget(),
            "departure_date": date_widget(),
            "departure_time": time_widget(),
            "departure_flight": flight_widget(),
        }
        labels = {
            "native_name_lang": _("Script of the native name"),
            "name_order": _("Name order"),
            "needs_airport_transfer": _("The delegate needs an airport transfer"),
            "needs_visa_letter": _("The delegate needs a visa invitation letter"),
            "media_consent": _("The delegate agrees to appear in photos and videos of the forum"),
            "dietary": _("Dietary requirement"),
            "dietary_other": _("Dietary details"),
        }
        help_texts = {
            "honorific": _("For example H.E., Hon., Dr., Ms. Choose from the list or type another."),
            "family_name": _("Leave empty if the delegate has a single name."),
            "badge_name": _(
                "As it should be printed on the name badge. Empty: the name in the order chosen above."
            ),
            "name_order": _(
                "How the name is written on pages, in emails and lists, and on the badge unless you type "
                "another below. Not sure? Leave it: we use the usual order for the name's script or country "
                "(family name first for Vietnamese, Chinese, Khmer, Korean, Japanese, Hungarian names)."
            ),
            "native_name": _(
                "The name in Khmer, Thai, Lao, Burmese, Chinese, Tamil, Jawi or another script, if any."
            ),
            "native_name_lang": _("So that the name is shown with the right letters and fonts."),
            "position": _("For example Mayor, Vice Governor, Head of Planning."),
            "organisation": _("The local government, ministry or organisation."),
            "phone": _(
                "A mobile number for contact during the forum: as dialled in the delegate's country, or "
                "with the country code, e.g. +66 81 234 5678."
            ),
            "arrival_flight": _("For example TG 433."),
            "departure_flight": _("For example TG 434."),
            "hotel": _("Where the delegate will stay, if known."),
            "dietary_other": _("Required when the dietary requirement is “Other”."),
            "allergies": _("Food or other allergies the caterers must know about."),
            "accessibility_needs": _(
                "Wheelchair access, sign language, seating: anything that helps the delegate take part."
            ),
            "accompanying_persons": _(
                "Name and role of each person travelling with the delegate, one per line."
            ),
            "media_consent": _("Photos may appear on the forum's website, social media and reports."),
        }
        error_messages = {
            "given_name": {"required": _("Enter the delegate's given name.")},
            "position": {"required": _("Enter the delegate's position, e.g. Mayor.")},
            "organisation": {"required": _("Enter the local government or organisation.")},
            "city": {"required": _("Enter the city.")},
            "country": {
                "required": _("Choose the country."),
                "invalid_choice": _("Choose a country from the list."),
            },
            "phone": {"required": _("Enter a mobile number, e.g. +66 81 234 5678.")},
            "dietary": {"invalid_choice": _("Choose one of the dietary options.")},
            "native_name_lang": {"invalid_choice": _("Choose a script from the list.")},
            "name_order": {"invalid_choice": _("Choose one of the name orders.")},
            "arrival_date": {"invalid": _("Enter the arrival date as year-month-day, e.g. 2030-10-05.")},
            "departure_date": {"invalid": _("Enter the departure date as year-month-day, e.g. 2030-10-08.")},
            "arrival_time": {"invalid": _("Enter the arrival time as hours:minutes, e.g. 14:30.")},
            "departure_time": {"invalid": _("Enter the departure time as hours:minutes, e.g. 18:45.")},
        }

    def __init__(self, *args, forum: Forum, registration: Registration | None = None, **kwargs):
        self.forum = forum
        self.registration = registration
        super().__init__(*args, **kwargs)
        self.fields["country"] = CountryChoiceField(
            label=_("Country"),
            error_messages=self.Meta.error_messages["country"],
            widget=LongSelect(attrs={"autocomplete": "country"}),
        )
        self.fields["phone"].required = True
        self.fields["badge_name"].required = False  # filled in from the names when left empty
        scripts = self.fields["native_name_lang"]
        scripts.choices = [("", _("Choose the script")), *[c for c in scripts.choices if c[0]]]
        self.fields["dietary"].choices = [c for c in self.fields["dietary"].choices if c[0]]  # no empty radio
        self.fields["dietary"].required = True
        self.fields["name_order"].choices = NameOrder.choices
        # Left unchosen, the usual order of the name is taken (``clean``): a new registration starts
        # with neither order ticked rather than one forced on every name.
        self.fields["name_order"].required = False
        if self.instance.pk is None:
            self.initial.pop("name_order", None)
            self.fields["name_order"].initial = None
        if self.is_bound:
            # A number typed as dialled in the delegate's country ("012 345 678") is read in that country.
            self.fields["phone"].region = phone_region(self.data.get(self.add_prefix("country")))
        self.fields["sessions"].queryset = session_list_for_signup(forum=forum)
        if registration is not None and not self.is_bound:
            self.initial["sessions"] = [signup.session_id for signup in registration.signups.all()]

    # Empty fields are kept per process by ``delegates_tags.form_field`` under this name and the forum.
    field_cache_name = "delegate-details"

    def field_cache_scope(self) -> tuple:
        """What this form's empty fields depend on, besides the language and the value: which form it
        is and its forum. A change that makes a field's label, help, widget or options depend on
        anything else must add it here."""
        return (self.field_cache_name, self.forum.pk)

    # --- Options shown with their availability ---------------------------------------------------------

    def _signups(self) -> dict[int, SessionSignup]:
        if self.registration is None:
            return {}
        return {signup.session_id: signup for signup in self.registration.signups.all()}

    def full_clean(self) -> None:
        # What the options and sections show (errors, the choices' data) is worked out once per form,
        # after validation; templates ask for them several times.
        self._memo = {}
        super().full_clean()

    def _memoized(self, name: str, compute):
        memo = self.__dict__.setdefault("_memo", {})
        if name not in memo:
            memo[name] = compute()
        return memo[name]

    def session_options(self) -> list[SessionOption]:
        return self._memoized("session_options", self._session_options)

    def _session_options(self) -> list[SessionOption]:
        signups = self._signups()
        options = []
        for checkbox in self["sessions"]:
            session = checkbox.data["value"].instance  # annotated with ``taken`` by the selector
            seats_left = None if session.capacity is None else max(session.capacity - session.taken, 0)
            signup = signups.get(session.pk)
            if signup is not None:
                signup.registration = self.registration  # its state reads the registration's status
                signup.session_taken = session.taken
            options.append(
                SessionOption(
                    checkbox=checkbox,
                    session=session,
                    seats_left=seats_left,
                    waitlist=seats_left == 0 and (signup is None or signup.status != SignupStatus.CONFIRMED),
                    current_status=signup.status if signup is not None else "",
                    current=signup,
                )
            )
        return options

    def name_order_hints(self) -> dict[str, str]:
        """For the form's script, which suggests the order as the script of the native name is chosen:
        the scripts and countries whose names are written family name first (``names.py``)."""
        return {
            "scripts": " ".join(sorted(FAMILY_FIRST_SCRIPTS)),
            "countries": " ".join(sorted(FAMILY_FIRST_COUNTRIES)),
        }

    # --- Cleaning --------------------------------------------------------------------------------------

    def clean_arrival_flight(self) -> str:
        return " ".join(self.cleaned_data["arrival_flight"].upper().split())

    def clean_departure_flight(self) -> str:
        return " ".join(self.cleaned_data["departure_flight"].upper().split())

    def clean(self) -> dict:
        data = super().clean()
        self._clean_printable(data)
        if data.get("native_name") and not data.get("native_name_lang"):
            self.add_error("native_name_lang", _("Choose the script of the name in native script."))
        if not data.get("native_name"):
            data["native_name_lang"] = ""
        if not data.get("name_order"):
            data["name_order"] = name_order_suggested(
                native_name_lang=data.get("native_name_lang", ""), country=data.get("country", "")
            )
        if data.get("dietary") == Dietary.OTHER and not data.get("dietary_other"):
            self.add_error("dietary_other", _("Please describe the dietary requirement."))
        elif data.get("dietary") and data.get("dietary") != Dietary.OTHER:
            data["dietary_other"] = ""
        self._follow_suggested_badge_name(data)
        if not data.get("badge_name") and data.get("given_name"):
            suggested = self._suggested_badge_name(data)
            if len(suggested) > Registration._meta.get_field("badge_name").max_length:
                self.add_error("badge_name", _("Please enter a shorter form of the name for the badge."))
            else:
                data["badge_name"] = suggested
        self._clean_travel(data)
        return data

    @staticmethod
    def _suggested_badge_name(data: dict) -> str:
        """The name on the badge when none is typed: the name in its order (``names.person_name``)."""
        return person_name(
            given_name=data.get("given_name", ""),
            family_name=data.get("family_name", ""),
            name_order=data.get("name_order", ""),
        )

    def _follow_suggested_badge_name(self, data: dict) -> None:
        """Editing: a name on the badge that is still the suggested one (nobody typed another) follows a
        corrected name or name order; one typed by hand is kept as typed."""
        registration = self.registration
        if registration is None or data.get("badge_name") != registration.badge_name:
            return
        suggested_before = person_name(
            given_name=registration.given_name,
            family_name=registration.family_name,
            name_order=registration.name_order,
        )
        if registration.badge_name == suggested_before:
            data["badge_name"] = ""  # suggested anew from what was typed

    def _clean_printable(self, data: dict) -> None:
        """What the badge prints must print as typed (no character without a glyph, no direction
        controls, no name made of invisible characters): said next to the field that holds it. The
        given and family names are checked for the badge too when they make its name."""
        badge_name_from_names = not data.get("badge_name")
        for field in dict.fromkeys((*NAME_FIELDS, *PRINTED_TEXT_FIELDS)):
            value = data.get(field)
            if not value or field in self.errors:
                continue
            printed = field in PRINTED_TEXT_FIELDS or badge_name_from_names
            problem = text_problem(value, name=field in NAME_FIELDS, printed=printed)
            if problem is not None:
                self.add_error(field, problem)

    def _clean_travel(self, data: dict) -> None:
        forum = self.forum
        first, last = forum.start_date - TRAVEL_WINDOW, forum.end_date + TRAVEL_WINDOW
        for name in ("arrival_date", "departure_date"):
            day = data.get(name)
            if day and not first <= day <= last:
                self.add_error(
                    name,
                    _("This date is far from the forum (%(start)s to %(end)s): please check year and month.")
                    % {"start": forum.start_date.isoformat(), "end": forum.end_date.isoformat()},
                )
        arrival_date, departure_date = data.get("arrival_date"), data.get("departure_date")
        if arrival_date and departure_date and "departure_date" not in self.errors:
            arrival_time, departure_time = data.get("arrival_time"), data.get("departure_time")
            if departure_date < arrival_date:
                self.add_error("departure_date", _("The departure cannot be before the arrival."))
            elif (
                departure_date == arrival_date
                and arrival_time
                and departure_time
                and departure_time <= arrival_time
            ):
                self.add_error("departure_time", _("The departure cannot be before the arrival."))
        for when in ("arrival", "departure"):
            date_name = f"{when}_date"
            details = data.get(f"{when}_time") or data.get(f"{when}_flight")
            if details and not data.get(date_name) and date_name not in self.errors:
                self.add_error(date_name, _("Enter the date as well."))

    def service_data(self) -> dict:
        """The cleaned values the registration services take (``EDITABLE_FIELDS``)."""
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS if name in self.cleaned_data}

    def session_ids(self) -> list[int]:
        return sorted(session.pk for session in self.cleaned_data.get("sessions", []))

    def sections(self) -> list[dict]:
        """The sections of this form in order, each with its visible fields and whether any has an
        error (the step list marks those)."""
        return self._memoized("sections", self._sections)

    def _sections(self) -> list[dict]:
        result = []
        for anchor, title, names in SECTIONS:
            names = [name for name in names if name in self.fields]
            if not names or (anchor == "sessions" and not self.session_options()):
                continue
            result.append(
                {
                    "anchor": anchor,
                    "title": title,
                    "fields": [self[name] for name in names],
                    "has_errors": any(self.has_error(name) for name in names),
                    "next_title": "",  # the title of the section after it (the "Next" button says it)
                }
            )
        for section, following in itertools.pairwise(result):
            section["next_title"] = following["title"]
        return result


class RegistrationForm(DelegateDetailsForm):
    """The whole registration: category, the delegate's email and consent, then the details."""

    category = forms.ModelChoiceField(
        label=_("Delegate category"),
        queryset=DelegateCategory.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the delegate's category."),
            "invalid_choice": _("Choose one of the categories listed."),
        },
    )
    email = forms.EmailField(
        label=_("Delegate's email"),
        max_length=254,
        help_text=_(
            "Confirmations go to this address. Registering someone else, e.g. your mayor? "
            "Enter their email: you both can see and manage the registration."
        ),
        error_messages={
            "required": _("Enter the delegate's email address."),
            "invalid": _("Enter an email address like name@example.org."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that these details are used to organise the forum"),
        help_text=_("What we collect, why, who sees it and how long we keep it:"),
        error_messages={"required": _("Please accept the privacy notice to register.")},
    )

    field_order = ["category", "email"]
    field_cache_name = "registration"

    class Meta(DelegateDetailsForm.Meta):
        fields = ["category", *EDITABLE_FIELDS]

    def __init__(self, *args, forum: Forum, **kwargs):
        super().__init__(*args, forum=forum, **kwargs)
        self.fields["category"].queryset = category_list_public(forum=forum).annotate(
            taken=Count("registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED))
        )
        self._forum_full = forum_seats_left(forum=forum) == 0

    def _get_validation_exclusions(self):
        # The category was checked against this forum's public categories by its field already: the
        # model's own check of the foreign key would only ask the database again.
        return {*super()._get_validation_exclusions(), "category"}

    def category_options(self) -> list[CategoryOption]:
        return self._memoized("category_options", self._category_options)

    def _category_options(self) -> list[CategoryOption]:
        options = []
        for radio in self["category"]:
            category = radio.data["value"].instance
            seats_left = None if category.capacity is None else max(category.capacity - category.taken, 0)
            options.append(
                CategoryOption(
                    radio=radio,
                    category=category,
                    needs_approval=category.requires_approval,
                    waitlist=self._forum_full or seats_left == 0,
                    seats_left=seats_left,
                )
            )
        return options

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()

    def service_data(self) -> dict:
        return {**super().service_data(), "email": self.cleaned_data["email"]}
