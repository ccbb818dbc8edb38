"""The site inspection (récolement) of a file, as JSON under /api/dossiers/{id}/inspection/: read it, and the actions
of `permits.inspections.services`, one small class each, answering with the inspection as it now is.

| method and path | who | service |
|---|---|---|
| GET `inspection/` | whoever sees the file | the current inspection (`selectors.inspection_current`) |
| POST `inspection/propose/` | desk agent or inspector | `inspection_propose` (201) |
| POST `{iid}/confirm/`, `other-date/` | the applicant or architect | `inspection_confirm`, `..._ask_other_date` |
| POST `{iid}/reschedule/`, `cancel/` | desk agent or inspector | `inspection_reschedule`, `inspection_cancel` |
| POST `{iid}/report/`, `photos/` (multipart), `close/` | inspector | `..._report_save`, `..._photo_add`, `..._close` |

(`{iid}` is under `inspection/`: `/api/dossiers/{id}/inspection/{iid}/confirm/`.)

The file is looked up first (404 for a file the user may not see, as everywhere), then the inspection among the
file's; the services check the role (403) and the inspection's state (409); bad input is a 400 problem.
"""

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from permits.api.common import EmptyInputSerializer, PermitsApiView, client_address, dossier_for, problems, validated
from permits.inspections import selectors, services
from permits.inspections.errors import InspectionNotFound
from permits.inspections.models import Inspection, ItemResult, Verdict
from permits.models import Dossier


class ChecklistRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label_fr = serializers.CharField()
    label_ar = serializers.CharField()
    label_en = serializers.CharField()
    result = serializers.CharField(help_text="conform, not_conform, not_applicable; empty while unanswered.")
    comment = serializers.CharField()


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    caption = serializers.CharField()
    position = serializers.SerializerMethodField(help_text="[longitude, latitude] (EXIF first, else the browser's).")
    position_source = serializers.CharField()

    def get_position(self, photo: Any) -> list[float] | None:
        point = photo.position
        return [point.x, point.y] if point is not None else None


class InspectionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    round_number = serializers.IntegerField()
    status = serializers.CharField(help_text="proposed, confirmed, reschedule_requested, closed, cancelled.")
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField()
    inspector = serializers.SerializerMethodField()
    applicant_message = serializers.CharField()
    cancel_reason = serializers.CharField()
    confirmed_at = serializers.DateTimeField(allow_null=True)
    remarks = serializers.CharField()
    verdict = serializers.CharField(help_text="conform, minor_deviations, not_conform; empty until given.")
    deviations = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    checklist = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    report_signed = serializers.SerializerMethodField(help_text="The inspector's PAdES signature is applied.")

    def get_inspector(self, inspection: Inspection) -> str | None:
        person = inspection.inspector
        return (person.get_full_name() or person.get_username()) if person is not None else None

    def get_checklist(self, inspection: Inspection) -> list[dict[str, Any]]:
        rows = selectors.checklist_for(inspection=inspection)
        return list(ChecklistRowSerializer(rows, many=True).data)

    def get_photos(self, inspection: Inspection) -> list[dict[str, Any]]:
        return list(PhotoSerializer(selectors.photos_for(inspection=inspection), many=True).data)

    def get_report_signed(self, inspection: Inspection) -> bool:
        return selectors.report_is_signed(inspection=inspection)


def inspection_of(dossier: Dossier, inspection_id: int) -> Inspection:
    found = selectors.inspection_get(dossier=dossier, inspection_id=inspection_id)
    if found is None:
        raise InspectionNotFound(f"There is no inspection {inspection_id} of this file.")
    return found


def answer(inspection: Inspection, status_code: int = status.HTTP_200_OK) -> Response:
    inspection = Inspection.objects.select_related("inspector", "dossier").get(pk=inspection.pk)
    return Response(InspectionOutputSerializer(inspection).data, status=status_code)


@extend_schema_view(
    get=extend_schema(
        operation_id="dossiers_inspection_retrieve",
        summary="The file's current site inspection (the latest not cancelled).",
        responses={200: InspectionOutputSerializer, **problems(404)},
    )
)
class InspectionCurrentApi(PermitsApiView):
    def get(self, request: Request, dossier_id: int) -> Response:
        inspection = selectors.inspection_current(dossier=dossier_for(request, dossier_id))
        if inspection is None:
            raise InspectionNotFound("The file has no site inspection.")
        return answer(inspection)


class ProposeInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="In the future; ISO 8601 with its offset.")
    duration_minutes = serializers.IntegerField(required=False, default=60, min_value=1, max_value=24 * 60)
    inspector = serializers.IntegerField(required=False, allow_null=True, help_text="A user id: an inspector.")


@extend_schema_view(
    post=extend_schema(
        operation_id="dossiers_inspection_propose",
        summary="Propose the date of the site inspection.",
        description="Desk agent or inspector of the file's commune; the file complete and not decided.",
        request=ProposeInputSerializer,
        responses={201: InspectionOutputSerializer, **problems(400, 403, 404, 409)},
    )
)
class InspectionProposeApi(PermitsApiView):
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        data = validated(ProposeInputSerializer, request.data or {})
        inspector = None
        if data.get("inspector"):
            inspector = selectors.inspectors_for(dossier=dossier).filter(pk=data["inspector"]).first()
            if inspector is None:
                raise serializers.ValidationError({"inspector": ["Not an inspector of the file's commune."]})
        inspection = services.inspection_propose(
            actor=request.user,
            address=client_address(request),
            dossier=dossier,
            starts_at=data["starts_at"],
            duration_minutes=data["duration_minutes"],
            inspector=inspector,
        )
        return answer(inspection, status.HTTP_201_CREATED)


class InspectionActionApi(PermitsApiView):
    """POST runs `run` with the validated input on an inspection of a file the user may see."""

    input_serializer: ClassVar[type[serializers.Serializer]] = EmptyInputSerializer
    created: ClassVar[bool] = False

    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        raise NotImplementedError

    def post(self, request: Request, dossier_id: int, inspection_id: int) -> Response:
        inspection = inspection_of(dossier_for(request, dossier_id), inspection_id)
        data = validated(self.input_serializer, request.data or {})
        self.run(actor=request.user, address=client_address(request), inspection=inspection, **data)
        return answer(inspection, status.HTTP_201_CREATED if self.created else status.HTTP_200_OK)


def action_schema(
    *, operation_id: str, summary: str, request: Any = EmptyInputSerializer, created: bool = False
) -> Any:
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        request=request,
        responses={201 if created else 200: InspectionOutputSerializer, **problems(400, 403, 404, 409)},
    )


@extend_schema_view(post=action_schema(operation_id="inspections_confirm", summary="The applicant confirms the date."))
class InspectionConfirmApi(InspectionActionApi):
    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        return services.inspection_confirm(actor=actor, address=address, inspection=inspection)


class OtherDateInputSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=services.MAX_TEXT, help_text="When the applicant is available.")


@extend_schema_view(
    post=action_schema(
        operation_id="inspections_ask_other_date",
        summary="The applicant asks for another date.",
        request=OtherDateInputSerializer,
    )
)
class InspectionOtherDateApi(InspectionActionApi):
    input_serializer = OtherDateInputSerializer

    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        return services.inspection_ask_other_date(actor=actor, address=address, inspection=inspection, **data)


class RescheduleInputSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="In the future; ISO 8601 with its offset.")
    duration_minutes = serializers.IntegerField(required=False, min_value=1, max_value=24 * 60)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_TEXT)


@extend_schema_view(
    post=action_schema(
        operation_id="inspections_reschedule",
        summary="The desk or an inspector proposes a new date.",
        request=RescheduleInputSerializer,
    )
)
class InspectionRescheduleApi(InspectionActionApi):
    input_serializer = RescheduleInputSerializer

    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        return services.inspection_reschedule(actor=actor, address=address, inspection=inspection, **data)


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.MAX_TEXT)


@extend_schema_view(
    post=action_schema(
        operation_id="inspections_cancel", summary="The desk or an inspector cancels.", request=CancelInputSerializer
    )
)
class InspectionCancelApi(InspectionActionApi):
    input_serializer = CancelInputSerializer

    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        return services.inspection_cancel(actor=actor, address=address, inspection=inspection, **data)


class AnswerInputSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=64, help_text="The checklist item's code.")
    result = serializers.ChoiceField(choices=ItemResult.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_TEXT)


class ReportInputSerializer(serializers.Serializer):
    answers = serializers.ListField(child=AnswerInputSerializer(), required=False, default=list, max_length=200)
    remarks = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_TEXT)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False, allow_blank=True, default="")
    deviations = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_TEXT)


@extend_schema_view(
    post=action_schema(
        operation_id="inspections_report_save",
        summary="The inspector records the checklist's answers, the remarks, the verdict and the deviations.",
        request=ReportInputSerializer,
    )
)
class InspectionReportApi(InspectionActionApi):
    input_serializer = ReportInputSerializer

    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        answers = {row["item"]: services.ItemAnswer(row["result"], row["comment"]) for row in data.pop("answers")}
        return services.inspection_report_save(
            actor=actor, address=address, inspection=inspection, answers=answers, **data
        )


class PhotoInputSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="A JPEG or PNG image taken on site (its EXIF GPS position is read).")
    caption = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    latitude = serializers.FloatField(required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, default=None)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, default=None)


@extend_schema_view(
    post=action_schema(
        operation_id="inspections_photo_add",
        summary="The inspector adds a photo (multipart/form-data), with the device's position if known.",
        request={"multipart/form-data": PhotoInputSerializer},
        created=True,
    )
)
class InspectionPhotoApi(InspectionActionApi):
    input_serializer = PhotoInputSerializer
    parser_classes = (MultiPartParser, FormParser, JSONParser)
    created = True

    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        return services.inspection_photo_add(
            actor=actor, address=address, inspection=inspection, uploaded_file=data.pop("photo"), **data
        )


@extend_schema_view(
    post=action_schema(
        operation_id="inspections_close",
        summary="The inspector closes the report: rendered, stamped, then signed (PAdES) after commit.",
    )
)
class InspectionCloseApi(InspectionActionApi):
    def run(self, *, actor: Any, address: str | None, inspection: Inspection, **data: Any) -> Any:
        return services.inspection_close(actor=actor, address=address, inspection=inspection)
