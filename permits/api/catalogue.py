"""The procedure catalogue as applicants need it: each open procedure with its required documents and the legal
deadline of each step and its own form, the nomenclature of uses a file's `use` is a code of, and the nomenclature
of economic activities an `activity` answer is a code of."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from permits import selectors
from permits.answers import FIELD_TYPES
from permits.api.common import PermitsApiView, problems
from permits.models import ApplicantReturn, ClockStart, ProcedureFamily, ProcedureStep, SilenceOutcome


class RequiredDocumentOutputSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Document type, e.g. architectural_plans.")
    label_fr = serializers.CharField()
    label_ar = serializers.CharField()
    label_en = serializers.CharField()
    accepted_formats = serializers.ListField(child=serializers.CharField())
    mandatory = serializers.BooleanField()
    required_when = serializers.DictField(
        help_text='Mandatory only when an answer has one of the values, e.g. {"field": "establishment_class", '
        '"values": ["1"]}; {} when `mandatory` says it all.'
    )


class ChoiceOutputSerializer(serializers.Serializer):
    value = serializers.CharField()
    label_fr = serializers.CharField(required=False)
    label_ar = serializers.CharField(required=False)
    label_en = serializers.CharField(required=False)


class FormFieldOutputSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The answer's key in a file's `answers`.")
    type = serializers.ChoiceField(choices=FIELD_TYPES)
    label_fr = serializers.CharField()
    label_ar = serializers.CharField(required=False)
    label_en = serializers.CharField(required=False)
    help_fr = serializers.CharField(required=False)
    help_ar = serializers.CharField(required=False)
    help_en = serializers.CharField(required=False)
    required = serializers.BooleanField(required=False, help_text="Required to submit the file.")  # type: ignore[assignment]
    required_when = serializers.DictField(
        required=False, help_text="Required when the answer of `field` is one of `values` (any value when absent)."
    )
    min = serializers.JSONField(required=False, help_text="Least value (a date: YYYY-MM-DD); a text: -.")
    max = serializers.JSONField(required=False, help_text='Greatest value; a text: its length; a date: "today".')
    unit = serializers.CharField(required=False)
    choices = ChoiceOutputSerializer(many=True, required=False)
    column = serializers.CharField(required=False, help_text="The typed column of the file the answer fills.")


class StepDeadlineOutputSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=ProcedureStep.choices)
    business_days = serializers.IntegerField(help_text="The limit in business days (0 when given in months).")
    months = serializers.IntegerField(allow_null=True, help_text="The limit in calendar months (the law's wording).")
    counted_from = serializers.ChoiceField(choices=ClockStart.choices)
    silence = serializers.ChoiceField(
        choices=SilenceOutcome.choices, help_text="What the platform does when the limit expires (the file's clock)."
    )
    on_applicant_return = serializers.ChoiceField(choices=ApplicantReturn.choices)
    legal_source = serializers.CharField(help_text="The text the value comes from, or 'product choice'.")


class ProcedureListApi(PermitsApiView):
    class ProcedureOutputSerializer(serializers.Serializer):
        code = serializers.CharField()
        name_fr = serializers.CharField()
        name_ar = serializers.CharField()
        name_en = serializers.CharField()
        family = serializers.ChoiceField(choices=ProcedureFamily.choices)
        parent_procedure = serializers.CharField(
            source="parent.code", allow_null=True, default=None, help_text="The procedure this one follows."
        )
        requires_parent_dossier = serializers.BooleanField()
        requires_footprint = serializers.BooleanField()
        establishment_classes = serializers.ListField(child=serializers.IntegerField())
        commission_name_fr = serializers.CharField()
        tacit_opinion = serializers.CharField(help_text="Opinion of a member silent at the deadline.")
        required_documents = RequiredDocumentOutputSerializer(many=True)
        form_fields = FormFieldOutputSerializer(
            many=True, help_text="The procedure's own form; empty: the building parameters (height_m, use...)."
        )
        step_deadlines = StepDeadlineOutputSerializer(many=True)

    @extend_schema(
        operation_id="procedures_list",
        summary="The procedures open to new files, with their required documents and step deadlines.",
        responses={200: ProcedureOutputSerializer(many=True), **problems()},
    )
    def get(self, request: Request) -> Response:
        procedures = selectors.procedures_active().select_related("parent")
        return Response(self.ProcedureOutputSerializer(procedures, many=True).data)


class UseListApi(PermitsApiView):
    class UseOutputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="What a file's `use` holds, and what the public views publish.")
        label_fr = serializers.CharField()
        label_ar = serializers.CharField()
        label_en = serializers.CharField()

    @extend_schema(
        operation_id="uses_list",
        summary="The uses a project may declare (a file's `use` is one of these codes).",
        responses={200: UseOutputSerializer(many=True), **problems()},
    )
    def get(self, request: Request) -> Response:
        return Response(self.UseOutputSerializer(selectors.project_uses(), many=True).data)


class ActivityListApi(PermitsApiView):
    class ActivityOutputSerializer(serializers.Serializer):
        code = serializers.CharField(help_text="What an `activity` answer holds, and what the public views publish.")
        label_fr = serializers.CharField()
        label_ar = serializers.CharField()
        label_en = serializers.CharField()
        use = serializers.CharField(help_text="Code of the use the activity falls under (GET /api/uses/).")

    @extend_schema(
        operation_id="activities_list",
        summary="The economic activities a file may declare (an `activity` answer is one of these codes).",
        responses={200: ActivityOutputSerializer(many=True), **problems()},
    )
    def get(self, request: Request) -> Response:
        return Response(self.ActivityOutputSerializer(selectors.economic_activities(), many=True).data)
