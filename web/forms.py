"""Forms for the HTML pages. They validate input; services do the work."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import (
    KVK_PATTERN,
    EducationLevel,
    KeyScope,
    Language,
    Organisation,
    OrganisationKind,
    Role,
    Sector,
    SizeClass,
)
from learning.models import COST_MAX_EUR as COURSE_COST_MAX_EUR
from learning.models import DURATION_MAX_HOURS as COURSE_DURATION_MAX_HOURS
from learning.models import (
    GUEST_PUPILS_MAX,
    GUEST_REACH_MAX_KM,
    Audience,
    GuestFormat,
    GuestFrequency,
    GuestVenue,
)
from learning.models import SEATS_MAX as COURSE_SEATS_MAX
from marketplace.models import (
    HOURS_PER_WEEK_MAX,
    SKILL_LEVEL_MIN,
    Importance,
    Occupation,
    OpeningType,
    Place,
    Skill,
)
from matching.interviews import SlotInput
from matching.models import INTERVIEW_SLOTS_MAX, RejectReason
from notifications.models import WebhookEvent

# Row ids from a form are checked for shape before any query: a 40-digit number
# would overflow the database's integer (an error, not "no such choice").
ID_DIGITS_MAX = 18


def _id_shaped(value: object) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) <= ID_DIGITS_MAX


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value: object) -> object:
        if value in self.empty_values:
            return None
        if not _id_shaped(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value: object) -> object:
        if value and any(
            not _id_shaped(v) for v in (value if isinstance(value, list | tuple) else [value])
        ):
            raise forms.ValidationError(
                self.error_messages["invalid_pk_value"] % {"pk": "?"}, code="invalid_pk_value"
            )
        return super().clean(value)


class _PersonForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    email = forms.EmailField(label=_("Email address"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password_again = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean(self) -> dict:
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class _BirthDateField(forms.DateField):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            label=_("Date of birth"),
            widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
            **kwargs,
        )


class CareerChangerSignupForm(_PersonForm):
    date_of_birth = _BirthDateField()


class CompanySignupForm(_PersonForm):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    kvk_number = forms.CharField(
        label=_("KvK number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    size_class = forms.ChoiceField(label=_("Company size"), choices=SizeClass.choices)
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)

    def clean_kvk_number(self) -> str:
        number = self.cleaned_data["kvk_number"].replace(" ", "").replace(".", "")
        if not re.fullmatch(KVK_PATTERN, number):
            raise forms.ValidationError(_("A KvK number has exactly 8 digits."))
        return number


class InvitationSignupForm(_PersonForm):
    date_of_birth = _BirthDateField(required=False)

    def __init__(self, *args: object, role: str, email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if role == Role.STUDENT:
            self.fields["date_of_birth"].required = True
        else:
            del self.fields["date_of_birth"]
        if email:
            self.fields["email"].initial = email


class InvitationJoinForm(forms.Form):
    """An existing account joins; students without a known birth date give it."""

    date_of_birth = _BirthDateField()


class InvitationCreateForm(forms.Form):
    organisation = IdChoiceField(queryset=None, label=_("Organisation"))
    role = forms.ChoiceField(
        label=_("Joins as"),
        choices=[(Role.STUDENT, Role.STUDENT.label), (Role.COUNSELLOR, Role.COUNSELLOR.label)],
    )
    full_name = forms.CharField(label=_("Name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        max_length=254,
        help_text=_(
            "Needed for colleagues. For a student it is optional: with an address, only "
            "that person can use the link."
        ),
    )

    def __init__(self, *args: object, organisations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “school system”."),
    )


class OrganisationKeyForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, to_field_name="slug", empty_label=None
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the key is for, e.g. “nightly sync with the student system”."),
    )
    scope = forms.ChoiceField(
        label=_("May do"),
        choices=KeyScope.choices,
        initial=KeyScope.READ,
        widget=forms.RadioSelect,
        help_text=_("Read: fetch data only. Read and write: also import, create and take steps."),
    )
    days = forms.TypedChoiceField(
        label=_("Works for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("a year"))],
        initial=365,
    )

    def __init__(self, *args: object, organisations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class WebhookForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, to_field_name="slug", empty_label=None
    )
    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("An https:// address of your system that accepts a POST."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, organisations: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


LEVEL_CHOICES = [
    (1, _("1 · beginner")),
    (2, _("2 · can do it with help")),
    (3, _("3 · can do it on my own")),
]
SKILL_ROWS_EXTRA = 3
SKILL_ROWS_MAX = 40


class SkillRowForm(forms.Form):
    """One skill with its level, typed by its Dutch or English name or a synonym
    (a datalist on the page offers the taxonomy as the person types)."""

    skill = forms.CharField(
        label=_("Skill"),
        max_length=150,
        required=False,
        widget=forms.TextInput(
            attrs={
                "list": "skill-options",
                "autocomplete": "off",
                "aria-describedby": "skills-help",
            }
        ),
    )
    level = forms.TypedChoiceField(
        label=_("Level"), choices=LEVEL_CHOICES, coerce=int, initial=SKILL_LEVEL_MIN
    )

    def __init__(
        self, *args: object, terms: dict[str, Skill], live: bool = False, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.terms = terms
        if live:
            # A large taxonomy: the list fills with matching names as the person types.
            self.fields["skill"].widget.attrs.update(
                {
                    "hx-get": reverse_lazy("web:skill_options"),
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": "#skill-options",
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                }
            )

    def clean_skill(self) -> Skill | None:
        text = self.cleaned_data["skill"].strip()
        if not text:
            return None
        skill = self.terms.get(text.casefold())
        if skill is None:
            raise forms.ValidationError(
                _("“%(text)s” is not in the skills list; pick one of the suggestions."),
                params={"text": text},
            )
        return skill


class OpeningSkillRowForm(SkillRowForm):
    level = forms.TypedChoiceField(
        label=_("Minimum level"), choices=LEVEL_CHOICES, coerce=int, initial=SKILL_LEVEL_MIN
    )
    importance = forms.ChoiceField(
        label=_("Importance"), choices=Importance.choices, initial=Importance.MUST
    )


class _SkillRows(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            skill = form.cleaned_data.get("skill")
            if skill is None:
                continue
            if skill.pk in seen:
                form.add_error("skill", _("This skill is already in the list."))
            seen.add(skill.pk)

    def rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data.get("skill") is not None]


def _skill_rows(form: type[SkillRowForm]) -> type[forms.BaseFormSet]:
    return forms.formset_factory(
        form,
        formset=_SkillRows,
        extra=SKILL_ROWS_EXTRA,
        max_num=SKILL_ROWS_MAX,
        validate_max=True,
        absolute_max=SKILL_ROWS_MAX + SKILL_ROWS_EXTRA,
    )


ProfileSkillRows = _skill_rows(SkillRowForm)
OpeningSkillRows = _skill_rows(OpeningSkillRowForm)


def _dates_in_order(form: forms.Form, data: dict, start: str, end: str) -> dict:
    """The end date may not lie before the start date (the message on the end)."""
    first, last = data.get(start), data.get(end)
    if first and last and last < first:
        form.add_error(end, _("The end date lies before the start date."))
    return data


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class OpeningForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    type = forms.ChoiceField(label=_("Type"), choices=OpeningType.choices)
    occupation = forms.ChoiceField(
        label=_("Occupation"),
        choices=[("", "—"), *Occupation.choices],
        required=False,
        help_text=_("Helps search engines list the opening."),
    )
    education_levels = forms.MultipleChoiceField(
        label=_("Education levels accepted"),
        choices=EducationLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every level is welcome."),
    )
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.order_by("name"))
    start_date = forms.DateField(label=_("Start date"), widget=_DateInput())
    end_date = forms.DateField(label=_("End date"), required=False, widget=_DateInput())
    hours_per_week = forms.IntegerField(
        label=_("Hours per week"), min_value=1, max_value=HOURS_PER_WEEK_MAX
    )
    capacity = forms.IntegerField(label=_("Places"), min_value=1, max_value=100, initial=1)

    def __init__(self, *args: object, companies: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if companies is not None:
            self.fields = {
                "company": IdChoiceField(label=_("Company"), queryset=companies),
                **self.fields,
            }

    def clean(self) -> dict:
        return _dates_in_order(self, super().clean(), "start_date", "end_date")


class CompanyForm(forms.Form):
    description = forms.CharField(
        label=_("About the company"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    website = forms.URLField(
        label=_("Website"), required=False, max_length=200, assume_scheme="https"
    )
    municipality = forms.CharField(label=_("Municipality"), max_length=100, required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=Sector.choices)
    size_class = forms.ChoiceField(label=_("Company size"), choices=SizeClass.choices)
    learning_locations = IdMultipleChoiceField(
        label=_("Learning locations we train with"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.LEARNING_LOCATION).order_by(
            "name"
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class _TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class InterviewTimesForm(forms.Form):
    """Up to three interview times (date, from, until, place or video link) and,
    when inviting, a message. Rows left empty are skipped; a half-filled row is
    an error on that row. Times are Dutch local time."""

    message = forms.CharField(
        label=_("Message to the candidate"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, rows: int = INTERVIEW_SLOTS_MAX, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for n in range(1, rows + 1):
            self.fields[f"slot{n}_date"] = forms.DateField(
                label=_("Date"), required=False, widget=_DateInput()
            )
            self.fields[f"slot{n}_start"] = forms.TimeField(
                label=_("From"), required=False, widget=_TimeInput()
            )
            self.fields[f"slot{n}_end"] = forms.TimeField(
                label=_("Until"), required=False, widget=_TimeInput()
            )
            self.fields[f"slot{n}_location"] = forms.CharField(
                label=_("Place or video link"), max_length=300, required=False
            )

    def clean(self) -> dict:
        data = super().clean()
        slots = []
        for n in range(1, self.rows + 1):
            values = [data.get(f"slot{n}_{part}") for part in ("date", "start", "end", "location")]
            if not any(values):
                continue
            if not all(values):
                raise forms.ValidationError(
                    _("Fill in the date, both times and the place of time %(n)s.") % {"n": n}
                )
            day, start, end, location = values
            slots.append(
                SlotInput(
                    starts_at=timezone.make_aware(dt.datetime.combine(day, start)),
                    ends_at=timezone.make_aware(dt.datetime.combine(day, end)),
                    location=location,
                )
            )
        data["slots"] = slots
        return data

    def slot_rows(self) -> list[list[forms.BoundField]]:
        """The fields of each row, for a template that lays them out per time."""
        return [
            [self[f"slot{n}_{part}"] for part in ("date", "start", "end", "location")]
            for n in range(1, self.rows + 1)
        ]


class PlacementForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), required=False, widget=_DateInput())
    end_date = forms.DateField(label=_("End date"), required=False, widget=_DateInput())

    def clean(self) -> dict:
        return _dates_in_order(self, super().clean(), "start_date", "end_date")


class PlannerGroupForm(forms.Form):
    """The group a counsellor plans: a class from the class lists, a programme,
    or both. The choices are the counsellor's own students' only."""

    klas = forms.ChoiceField(label=_("Class"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)

    def __init__(self, *args: Any, classes: list[str], programmes: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["klas"].choices = [("", _("All classes")), *((c, c) for c in classes)]
        self.fields["programme"].choices = [
            ("", _("All programmes")),
            *((p, p) for p in programmes),
        ]

    def clean(self) -> dict:
        data = super().clean()
        if self.is_bound and not self.errors and not (data.get("klas") or data.get("programme")):
            raise forms.ValidationError(_("Pick a class or a programme."))
        return data


class RejectForm(forms.Form):
    """A reason picked from the presets, free text, or both (the student reads it)."""

    preset = forms.ChoiceField(
        label=_("Reason"), choices=[("", ""), *RejectReason.choices], required=False
    )
    reason = forms.CharField(label=_("Explanation"), max_length=500, required=False)

    def clean(self) -> dict:
        data = super().clean()
        preset, text = data.get("preset"), (data.get("reason") or "").strip()
        if not preset and not text:
            raise forms.ValidationError(_("Pick a reason or write one."))
        label = str(RejectReason(preset).label) if preset else ""
        data["reason"] = f"{label}: {text}" if label and text else (label or text)
        return data


class ProfileForm(forms.Form):
    headline = forms.CharField(
        label=_("Headline"),
        max_length=200,
        required=False,
        help_text=_("One line about yourself, e.g. “Second-year student mechatronics”."),
    )
    about = forms.CharField(
        label=_("About me"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    experience = forms.CharField(
        label=_("Work experience"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    education_level = forms.ChoiceField(
        label=_("Education level"),
        choices=[("", "—"), *EducationLevel.choices],
        required=False,
    )
    programme = forms.CharField(label=_("Programme"), max_length=200, required=False)
    crebo_code = forms.RegexField(
        label=_("Crebo code"),
        regex=r"^[0-9]{5}$",
        required=False,
        error_messages={"invalid": _("A crebo code has exactly 5 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    place = IdChoiceField(
        label=_("Where you live (municipality)"),
        queryset=Place.objects.order_by("name"),
        required=False,
    )
    travel_radius_km = forms.IntegerField(
        label=_("How far you want to travel (km)"), min_value=0, max_value=250, initial=25
    )
    wanted_types = forms.MultipleChoiceField(
        label=_("What you are looking for"),
        choices=OpeningType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors you are interested in"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    available_from = forms.DateField(label=_("Available from"), required=False, widget=_DateInput())
    available_until = forms.DateField(
        label=_("Available until"), required=False, widget=_DateInput()
    )
    hours_per_week = forms.IntegerField(
        label=_("Hours per week"), min_value=0, max_value=HOURS_PER_WEEK_MAX, initial=32
    )
    is_visible = forms.BooleanField(
        label=_("Open to suggestions"),
        required=False,
        help_text=_("Switch off to stop new suggestions; suggestions in progress end."),
    )

    def clean(self) -> dict:
        return _dates_in_order(self, super().clean(), "available_from", "available_until")


class SettingsForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    email_digest = forms.BooleanField(
        label=_("Daily digest by email"),
        required=False,
        help_text=_("New suggestions, or the suggestions waiting for your review, once a day."),
    )
    email_updates = forms.BooleanField(
        label=_("Updates by email"),
        required=False,
        help_text=_("An email when an application moves on: forwarded, invited, accepted."),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: object, user: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class ImportUploadForm(forms.Form):
    """A CSV file, and (when the person could mean several) which organisation it is for."""

    organisation = IdChoiceField(queryset=None, label=_("Organisation"))
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Separated by semicolons or commas, saved as UTF-8 (Excel: “CSV UTF-8”)."),
    )

    def __init__(self, *args: object, organisations: object | None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if organisations is None:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = organisations
            if organisations.count() == 1:
                self.fields["organisation"].initial = organisations.first()


class CourseSkillRowForm(SkillRowForm):
    level = forms.TypedChoiceField(
        label=_("Level reached"), choices=LEVEL_CHOICES, coerce=int, initial=SKILL_LEVEL_MIN
    )


CourseSkillRows = _skill_rows(CourseSkillRowForm)


class CourseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}))
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.order_by("name"))
    venue = forms.CharField(
        label=_("Venue"),
        max_length=200,
        required=False,
        help_text=_("Where exactly, e.g. the building or the company."),
    )
    on_request = forms.BooleanField(
        label=_("On request (no fixed dates)"),
        required=False,
        help_text=_("No fixed dates: the provider plans it with the participants."),
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=_DateInput())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=_DateInput())
    duration_hours = forms.IntegerField(
        label=_("Duration (hours)"), min_value=1, max_value=COURSE_DURATION_MAX_HOURS
    )
    cost_eur = forms.DecimalField(
        label=_("Cost (euro)"),
        min_value=0,
        max_value=COURSE_COST_MAX_EUR,
        max_digits=8,
        decimal_places=2,
        initial=0,
    )
    seats = forms.IntegerField(
        label=_("Seats"),
        min_value=1,
        max_value=COURSE_SEATS_MAX,
        required=False,
        help_text=_("Leave empty for no limit."),
    )
    audiences = forms.MultipleChoiceField(
        label=_("Who may join"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    funding_note = forms.CharField(
        label=_("Funding"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example the SLIM scheme for SMEs or the sector's training fund. "
            "Plain information: MaakMatch makes no claim about who is eligible."
        ),
    )

    def __init__(self, *args: object, providers: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields = {
                "provider": IdChoiceField(label=_("Provider"), queryset=providers),
                **self.fields,
            }

    def clean(self) -> dict:
        data = _dates_in_order(self, super().clean(), "starts_on", "ends_on")
        dated = data.get("on_request") or data.get("starts_on")
        if not dated and "starts_on" not in self.errors:
            self.add_error("starts_on", _("Give a start date, or mark the course as on request."))
        return data


class EnrolmentForm(forms.Form):
    motivation = forms.CharField(
        label=_("Message to the provider (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# -- guest lessons ------------------------------------------------------------------


class SkillListField(forms.CharField):
    """Skills typed as a comma-separated list of names (Dutch, English or a
    synonym); each must be in the taxonomy. Cleans to a list of skills."""

    def __init__(self, *args: Any, terms: dict[str, Skill] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 1000)
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.terms = terms or {}

    def clean(self, value: object) -> list[Skill]:
        text = super().clean(value)
        found: dict[int, Skill] = {}
        unknown = []
        parts = text.split(",")
        i = 0
        while i < len(parts):
            # The longest run of parts that names a skill: a name may hold a
            # comma itself ("Oorzaakanalyse (8D, 5x waarom)").
            for j in range(len(parts), i, -1):
                skill = self.terms.get(",".join(parts[i:j]).strip().casefold())
                if skill is not None:
                    found[skill.pk] = skill
                    i = j
                    break
            else:
                if parts[i].strip():
                    unknown.append(parts[i].strip())
                i += 1
        if unknown:
            raise forms.ValidationError(
                _("Not in the skills list: %(names)s."), params={"names": ", ".join(unknown)}
            )
        return list(found.values())

    def prepare_value(self, value: object) -> object:
        if isinstance(value, list | tuple):
            return ", ".join(s.label if isinstance(s, Skill) else str(s) for s in value)
        return value


class _GuestForm(forms.Form):
    """What an offer and a request share: the kind, the topic, the skills, where."""

    format = forms.ChoiceField(label=_("Kind"), choices=GuestFormat.choices)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    skills = SkillListField(
        label=_("Skills"),
        help_text=_("Separate skills with commas, e.g. MIG/MAG welding, reading drawings."),
    )
    venues = forms.MultipleChoiceField(
        label=_("Where"), choices=GuestVenue.choices, widget=forms.CheckboxSelectMultiple
    )
    place = IdChoiceField(label=_("Place"), queryset=Place.objects.order_by("name"))

    def __init__(
        self, *args: Any, terms: dict[str, Skill], owners: object = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].terms = terms
        if owners is not None:
            self.fields = {
                "owner": IdChoiceField(label=_("On behalf of"), queryset=owners),
                **self.fields,
            }


class GuestOfferForm(_GuestForm):
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    levels = forms.MultipleChoiceField(
        label=_("For which levels"),
        choices=EducationLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    frequency = forms.ChoiceField(label=_("How often"), choices=GuestFrequency.choices)
    reach_km = forms.IntegerField(
        label=_("Distance (km)"),
        min_value=1,
        max_value=GUEST_REACH_MAX_KM,
        initial=25,
        help_text=_("How far from your place a school may be."),
    )
    pupils_max = forms.IntegerField(
        label=_("Pupils at most"),
        min_value=1,
        max_value=GUEST_PUPILS_MAX,
        required=False,
        help_text=_("Leave empty for no limit."),
    )


class GuestRequestForm(_GuestForm):
    class_name = forms.CharField(label=_("Class"), max_length=100)
    level = forms.ChoiceField(label=_("Level"), choices=EducationLevel.choices)
    pupils = forms.IntegerField(label=_("Pupils"), min_value=1, max_value=GUEST_PUPILS_MAX)
    note = forms.CharField(
        label=_("Note for the company"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the class is working on, and what you hope they see."),
    )


class GuestDatesForm(InterviewTimesForm):
    """The company's yes: one to three dates, and a word for the school."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].label = _("Message to the school")
        for n in range(1, self.rows + 1):
            self.fields[f"slot{n}_location"].label = _("Place")


class GuestDeclineForm(forms.Form):
    answer = forms.CharField(
        label=_("Why not (for the school)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuestGivenForm(forms.Form):
    pupils_reached = forms.IntegerField(
        label=_("Pupils reached"), min_value=0, max_value=GUEST_PUPILS_MAX
    )
