"""Forms of the applicant space, the back office and the account page. They validate what a person typed;
the permits services decide whether the action is allowed and record it."""

import json
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from gis_core.models import Territory, TerritoryLevel
from permits import selectors
from permits.answers import FormField, InvalidAnswers, answers_clean, procedure_form
from permits.models import Decision, Dossier, Language, OpinionValue, Procedure
from permits.services.filing import linkable_parents_of
from permits.services.mandates import mandate_applicants_of
from web.i18n import localized

FOOTPRINT_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
FOOTPRINT_EXTENSIONS = (".geojson", ".json", ".kml", ".gpkg", ".zip", ".dxf")


class AccountForm(forms.Form):
    """Language and channels; the phone number changes only with a code sent to it (`PhoneChangeForm`)."""

    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    notify_by_email = forms.BooleanField(label=_("Notify me by e-mail"), required=False)
    notify_by_sms = forms.BooleanField(label=_("Notify me by SMS"), required=False)

    def __init__(self, *args: Any, has_phone: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_phone = has_phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("notify_by_sms") and not self.has_phone:
            self.add_error("notify_by_sms", _("SMS notifications need a phone number: add one first."))
        return data


class PhoneChangeForm(forms.Form):
    phone = forms.CharField(
        label=_("New mobile phone"),
        max_length=32,
        help_text=_("With the country code, e.g. +212 6 12 34 56 78. We send a code to it by SMS."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code received by SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you."),
    )
    confirm = forms.BooleanField(label=_("I understand that my account cannot be restored."))


class ArchitectReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("verify", _("Verify")), ("refuse", _("Refuse"))], widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason of the refusal (the architect reads it)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What the token is for"), max_length=100, required=False, help_text=_("For example: QGIS on my laptop.")
    )


class ProcedureChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Procedure) -> str:
        return localized(obj)


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        return f"{localized(obj)} ({obj.code})"


class ParentDossierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Dossier) -> str:
        return f"{obj.reference} · {obj.title} ({localized(obj.procedure)})"


class ApplicantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class NewDossierForm(forms.Form):
    """Step 1 of the wizard. A linked procedure (occupancy permit, certificate of conformity) names one of the
    applicant's own authorised files of its parent procedure; the list offers theirs only."""

    procedure = ProcedureChoiceField(label=_("Procedure"), queryset=Procedure.objects.none())
    parent_dossier = ParentDossierChoiceField(
        label=_("Authorised file it follows (occupancy permit, certificate of conformity)"),
        queryset=Dossier.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose one of your authorised files from the list.")},
    )
    commune = CommuneChoiceField(label=_("Commune"), queryset=Territory.objects.none())
    title = forms.CharField(label=_("Name of the project"), max_length=300)
    applicant = ApplicantChoiceField(
        label=_("Filed for"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Myself"),
        help_text=_("An architect files for a client who accepted their mandate (page “Mandates”)."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        clients = mandate_applicants_of(architect=user)
        if clients.exists():
            self.fields["applicant"].queryset = clients  # type: ignore[attr-defined]
        else:
            del self.fields["applicant"]
        self.fields["procedure"].queryset = selectors.procedures_active().select_related("parent")  # type: ignore[attr-defined]
        self.fields["parent_dossier"].queryset = linkable_parents_of(applicant=user)  # type: ignore[attr-defined]
        self.fields["commune"].queryset = Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("name_fr")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        procedure: Procedure | None = data.get("procedure")
        parent: Dossier | None = data.get("parent_dossier")
        if procedure is None or "parent_dossier" in self.errors:
            return data
        if procedure.parent_id is None:
            if parent is not None:
                self.add_error("parent_dossier", _("This procedure does not follow another file: leave it empty."))
            return data
        if parent is None and procedure.requires_parent_dossier:
            if not self.fields["parent_dossier"].queryset.filter(procedure_id=procedure.parent_id).exists():  # type: ignore[attr-defined]
                message = _("You have no authorised file of the procedure “%(parent)s” for this one to follow.")
            else:
                message = _("Choose the authorised file of the procedure “%(parent)s” this one follows.")
            self.add_error("parent_dossier", message % {"parent": localized(procedure.parent)})
        elif parent is not None and parent.procedure_id != procedure.parent_id:
            self.add_error(
                "parent_dossier",
                _("Choose a file of the procedure “%(parent)s”.") % {"parent": localized(procedure.parent)},
            )
        elif parent is not None and data.get("commune") not in (None, parent.commune):
            self.add_error(
                "commune",
                _("The file it follows lies in %(commune)s: choose that commune.")
                % {"commune": localized(parent.commune)},
            )
        return data


class SiteForm(forms.Form):
    parcels = forms.CharField(widget=forms.HiddenInput, required=False)
    footprint = forms.CharField(widget=forms.HiddenInput, required=False)
    footprint_file = forms.FileField(
        label=_("Or upload the footprint (GeoJSON, KML, GeoPackage, zipped Shapefile or DXF)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(FOOTPRINT_EXTENSIONS)}),
    )
    footprint_srid = forms.IntegerField(
        label=_("EPSG code of the file's coordinates (DXF)"), required=False, min_value=1024, max_value=999999
    )

    def clean_parcels(self) -> list[int]:
        raw = self.cleaned_data.get("parcels") or ""
        try:
            return [int(item) for item in raw.split(",") if item.strip()]
        except ValueError as error:
            raise ValidationError(_("The parcels chosen are not valid.")) from error

    def clean_footprint(self) -> dict[str, Any] | None:
        raw = self.cleaned_data.get("footprint") or ""
        if not raw.strip():
            return None
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise ValidationError(_("The drawn footprint is not valid.")) from error
        if not isinstance(value, dict):
            raise ValidationError(_("The drawn footprint is not valid."))
        return value

    def clean_footprint_file(self) -> Any:
        uploaded = self.cleaned_data.get("footprint_file")
        if uploaded is None:
            return None
        if not uploaded.name.lower().endswith(FOOTPRINT_EXTENSIONS):
            raise ValidationError(_("Upload a GeoJSON, KML, GeoPackage, zipped Shapefile or DXF file."))
        if uploaded.size > FOOTPRINT_UPLOAD_MAX_BYTES:
            raise ValidationError(_("The footprint file is too large (5 MB at most)."))
        return uploaded

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("parcels"):
            self.add_error(None, _("Choose at least one parcel on the map."))
        return data


class ProjectForm(forms.Form):
    height_m = forms.FloatField(label=_("Height (m)"), min_value=0)
    floors = forms.IntegerField(label=_("Floors above ground"), min_value=0, max_value=200)
    gross_floor_area_m2 = forms.FloatField(label=_("Gross floor area (m²)"), min_value=0)
    use = forms.ChoiceField(label=_("Use"), help_text=_("As the catalogue of uses names it; the public map shows it."))
    units = forms.IntegerField(label=_("Units (dwellings, shops…)"), min_value=0, required=False)
    establishment_class = forms.TypedChoiceField(
        label=_("Establishment class"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        uses = [(use.code, localized(use, "label")) for use in selectors.project_uses()]
        self.fields["use"].choices = uses  # type: ignore[attr-defined]  # the catalogue's, in its order
        classes = list(procedure.establishment_classes or [])
        if classes:
            field = self.fields["establishment_class"]
            field.choices = [(value, _("Class %(number)s") % {"number": value}) for value in classes]  # type: ignore[attr-defined]
            field.required = True
        else:
            del self.fields["establishment_class"]


def _answer_field(spec: FormField, *, activities: list[tuple[str, str]], parents: list[tuple[str, str]]) -> forms.Field:
    """The widget of one declared field. Every value is checked by `permits.answers.answers_clean` (in `clean`),
    never by the form field itself: one validator, one set of messages, for the wizard and the API alike."""
    label = f"{spec.label} ({spec.unit})" if spec.unit else spec.label
    attrs: dict[str, Any] = {"aria-required": "true"} if spec.required else {}
    if spec.type in ("integer", "decimal"):
        attrs.update({"inputmode": "numeric" if spec.type == "integer" else "decimal"})
        if spec.minimum is not None:
            attrs["min"] = spec.minimum
        if spec.maximum is not None:
            attrs["max"] = spec.maximum
        attrs["step"] = "1" if spec.type == "integer" else "any"
        widget: forms.Widget = forms.NumberInput(attrs=attrs)
    elif spec.type == "text":
        limit = int(spec.maximum or 500)
        attrs["maxlength"] = limit
        widget = forms.Textarea(attrs={**attrs, "rows": 3}) if limit > 200 else forms.TextInput(attrs=attrs)
    elif spec.type == "date":
        widget = forms.DateInput(attrs={**attrs, "type": "date"}, format="%Y-%m-%d")
    elif spec.type == "boolean":
        widget = forms.RadioSelect(choices=[("true", _("Yes")), ("false", _("No"))], attrs=attrs)
    else:
        options = {
            "choice": [(choice.value, spec.choice_label(choice.value)) for choice in spec.choices],
            "activity": activities,
            "parent_file": parents,
        }[spec.type]
        widget = forms.Select(choices=[("", "—"), *options], attrs=attrs)
    return forms.CharField(label=label, help_text=spec.help, required=False, widget=widget, strip=False)


class AnswersForm(forms.Form):
    """The project step of a procedure with its own form (`Procedure.form_fields`): one field per declaration, the
    answers checked as a whole by the domain's validator, each message on its field, in the page's language."""

    def __init__(
        self, *args: Any, procedure: Procedure, applicant: Any, initial: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        shown = {
            key: ("true" if value is True else "false" if value is False else value)
            for key, value in (initial or {}).items()
        }
        kwargs["initial"] = shown
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        self.applicant = applicant
        self.answers: dict[str, Any] = {}
        self.specs = procedure_form(procedure)
        activities = [(activity.code, localized(activity, "label")) for activity in selectors.economic_activities()]
        parent_procedure = procedure.parent_id or 0  # a procedure that follows none offers no file
        parents = [
            (parent.reference, f"{parent.reference} · {parent.title}")
            for parent in linkable_parents_of(applicant=applicant).filter(procedure_id=parent_procedure)
            if parent.reference
        ]
        for spec in self.specs:
            self.fields[spec.key] = _answer_field(spec, activities=activities, parents=parents)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = {key: value for key, value in data.items() if value not in (None, "")}
        try:
            self.answers = answers_clean(procedure=self.procedure, answers=given, applicant=self.applicant)
        except InvalidAnswers as error:
            for key, messages in error.errors.items():
                for message in messages:
                    self.add_error(key if key in self.fields else None, message)
        return data


class DocumentUploadForm(forms.Form):
    document_type = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("File"))


class SubmitForm(forms.Form):
    confirm = forms.BooleanField(label=_("I certify that the information given is accurate."))


class ApplicationCodeForm(forms.Form):
    """The review step: consent to the application form as shown, and where to receive the one-time code."""

    consent = forms.BooleanField(
        label=_("I have read the application form and I sign it: the information given is accurate.")
    )
    channel = forms.ChoiceField(
        label=_("Send me the one-time code by"),
        choices=[("sms", _("SMS")), ("email", _("E-mail"))],
        initial="sms",
        widget=forms.RadioSelect,
    )


class ApplicationSignForm(forms.Form):
    code = forms.RegexField(
        label=_("One-time code"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Type the six digits you received.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": "6"}),
    )


class MandateInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person to invite"))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=500, required=False)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}))
    revised_plan = forms.FileField(label=_("Revised plan (PDF, optional)"), required=False)


class CompletenessForm(forms.Form):
    complete = forms.TypedChoiceField(
        label=_("The file is"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Complete: dispatch it for instruction")), ("no", _("Incomplete: return it"))],
        widget=forms.RadioSelect,
    )
    missing_documents = forms.MultipleChoiceField(
        label=_("Missing documents"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note to the applicant"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["missing_documents"].choices = [  # type: ignore[attr-defined]
            (document.code, localized(document, "label")) for document in procedure.required_documents.all()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("complete") is False and not data.get("missing_documents") and not data.get("note"):
            self.add_error("note", _("Say what is missing."))
        return data


class RemarkForm(forms.Form):
    text = forms.CharField(label=_("Remark"), widget=forms.Textarea(attrs={"rows": 3}))
    document_reference = forms.CharField(label=_("About the document (optional)"), max_length=200, required=False)


class RemarkCloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(label=_("Opinion"), choices=OpinionValue.choices, widget=forms.RadioSelect)
    motivation = forms.CharField(label=_("Motivation"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    motivation = forms.CharField(label=_("Motivation"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    conditions = forms.CharField(label=_("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReceiptDecisionForm(DecisionForm):
    """The service's decision on a simple declaration: the receipt given (with conditions, if any) or refused with
    its reasons; the same decisions as any other file, in the words of a receipt."""

    decision = forms.ChoiceField(
        label=_("Receipt"),
        choices=[
            (Decision.FAVOURABLE, _("Give the receipt")),
            (Decision.FAVOURABLE_WITH_CONDITIONS, _("Give the receipt with conditions")),
            (Decision.UNFAVOURABLE, _("Refuse the receipt (state the reasons)")),
        ],
        widget=forms.RadioSelect,
    )


# --- the commission: slot booking, attendance, examination ---------------------------------------------------


class SlotForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)


class AttendanceForm(forms.Form):
    present = forms.MultipleChoiceField(label=_("Members present"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(pk), label) for pk, label in members]  # type: ignore[attr-defined]

    def clean_present(self) -> list[int]:
        return [int(value) for value in self.cleaned_data.get("present") or []]


class ExaminationForm(forms.Form):
    joint_opinion = forms.ChoiceField(
        label=_("Joint opinion of the commission"), choices=OpinionValue.choices, widget=forms.RadioSelect
    )
    joint_motivation = forms.CharField(
        label=_("Motivation (required unless favourable)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
