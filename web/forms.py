"""Forms for the HTML pages. They validate input; services do the work."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from accounts.models import KVK_PATTERN, Role, Sector, SizeClass


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
    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"))
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
