"""The forms of the site inspection pages (back office and applicant): their fields are named as the parameters of
`permits.inspections.services`, which check everything again; a form only says what is malformed."""

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from permits.inspections.models import ItemResult, Verdict


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ProposeForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Date and time of the visit"), widget=DateTimeInput())
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=480, initial=60)
    inspector = forms.ModelChoiceField(
        label=_("Inspector"), queryset=User.objects.none(), required=False, empty_label=_("Any")
    )

    def __init__(self, *args: Any, inspectors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = inspectors  # type: ignore[attr-defined]
        self.fields["inspector"].label_from_instance = lambda user: user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


class RescheduleForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("New date and time"), widget=DateTimeInput())
    reason = forms.CharField(label=_("Reason"), max_length=4000, required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason of the cancellation"), max_length=4000)


class OtherDateForm(forms.Form):
    message = forms.CharField(
        label=_("When are you available?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: any morning next week, or Tuesday afternoon."),
    )


class ReportForm(forms.Form):
    """One radio group and one comment per checklist item (`result_<code>`, `comment_<code>`), then the remarks,
    the verdict and the deviations. Unanswered items are allowed while the report is open (saved as a draft)."""

    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    verdict = forms.ChoiceField(
        label=_("Verdict against the authorised plans"),
        choices=[("", _("Not decided yet")), *Verdict.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    deviations = forms.CharField(
        label=_("Deviations found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the work is not conform."),
    )

    def __init__(self, *args: Any, items: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"result_{item.code}"] = forms.ChoiceField(
                label=item.label,
                choices=ItemResult.choices,
                required=False,
                widget=forms.RadioSelect,
                initial=item.result or None,
            )
            self.fields[f"comment_{item.code}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=4000,
                initial=item.comment,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def item_rows(self) -> list[dict[str, Any]]:
        return [
            {"item": item, "result": self[f"result_{item.code}"], "comment": self[f"comment_{item.code}"]}
            for item in self.items
        ]

    def answers(self) -> dict[str, tuple[str, str]]:
        """(result, comment) of each answered item."""
        data = self.cleaned_data
        return {
            item.code: (data[f"result_{item.code}"], data.get(f"comment_{item.code}", ""))
            for item in self.items
            if data.get(f"result_{item.code}")
        }


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    accuracy_m = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=0)
