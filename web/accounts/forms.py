"""The sign-up and sign-in forms (allauth's, with the platform's fields and checks)."""

from typing import Any

from allauth.account.forms import LoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from permits.errors import AccountRefused
from permits.models import Role
from permits.services.accounts import account_register, national_id_normalise, phone_normalise
from web.accounts.adapter import current_language
from web.views.common import client_address


class SignInForm(LoginForm):
    """allauth's sign-in form; a POST naming the field `username` (older scripts, the admin's habit) is taken too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = kwargs.get("data")
        if data is not None and "login" not in data and "username" in data:
            data = data.copy()
            data["login"] = data["username"]
            kwargs["data"] = data
        super().__init__(*args, **kwargs)
        self.fields["login"].widget.attrs.update({"autocomplete": "username"})


class SignupForm(AllauthSignupForm):
    """Who signs up: an applicant, or an architect (their order number then checked by the desk)."""

    role = forms.ChoiceField(
        label=_("I am"),
        choices=[(Role.APPLICANT.value, _("An applicant")), (Role.ARCHITECT.value, _("An architect"))],
        initial=Role.APPLICANT.value,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=32,
        help_text=_("With the country code, e.g. +212 6 12 34 56 78: codes and notices by SMS."),
    )
    national_id = forms.CharField(
        label=_("National ID number (CIN)"),
        max_length=20,
        help_text=_("Seen only by you and the desk."),
    )
    architect_order_number = forms.CharField(
        label=_("Registration number with the Ordre des architectes"),
        max_length=32,
        required=False,
        help_text=_("Architects only: the desk checks it before you may file for others."),
    )

    field_order = [
        "role",
        "first_name",
        "last_name",
        "email",
        "phone",
        "national_id",
        "architect_order_number",
        "password1",
        "password2",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "phone": "tel",
            "national_id": "off",
            "architect_order_number": "off",
            "password1": "new-password",
            "password2": "new-password",
        }
        for name, value in autocomplete.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["phone"].widget.input_type = "tel"
        self.fields["phone"].widget.attrs["inputmode"] = "tel"

    def clean_phone(self) -> str:
        try:
            return phone_normalise(self.cleaned_data["phone"])
        except AccountRefused as error:
            raise forms.ValidationError(str(error.detail)) from error

    def clean_national_id(self) -> str:
        try:
            return national_id_normalise(self.cleaned_data["national_id"])
        except AccountRefused as error:
            raise forms.ValidationError(str(error.detail)) from error

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("role") == Role.ARCHITECT and not (cleaned.get("architect_order_number") or "").strip():
            self.add_error("architect_order_number", _("An architect gives their registration number."))
        return cleaned

    def save(self, request: HttpRequest) -> Any:
        """The user, their profile and their role in one transaction: all or nothing."""
        with transaction.atomic():
            return super().save(request)

    def custom_signup(self, request: HttpRequest, user: Any) -> None:
        """The profile and the role, in the sign-up's transaction (allauth calls it after saving the user)."""
        data = self.cleaned_data
        account_register(
            user=user,
            role=data["role"],
            phone=data["phone"],
            national_id=data["national_id"],
            preferred_language=current_language(),
            architect_order_number=data.get("architect_order_number", ""),
            address=client_address(request),
        )
