"""The commission in the JSON API: a file's free slots and its booking (book, move, cancel), the sessions of the
user's commissions with their agenda, attendance, the joint opinion on a file, the president's decision, and the
signatures waiting for the user (sign one: the PAdES signature runs in Celery).

Thin views over `permits.commissions.services` (writes) and `selectors` (reads): a booking is reached only through
a file its applicant owns, a session only by its commission's members and runners, a signature only by its signer;
anything else is a 404 problem, indistinguishable from a missing id. Conflicts (slot taken, booking closed, quorum,
out of turn) are 409 problems.
"""

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from gis_core.problems import NotFound
from permits import access
from permits.api.common import EmptyInputSerializer, PermitsApiView, client_address, dossier_for, problems, validated
from permits.commissions import selectors, services
from permits.commissions.models import BookingStatus
from permits.models import Decision, Dossier, OpinionValue

MAX_ID = 2**63 - 1


# --- serializers ----------------------------------------------------------------------------------------------


class FreeSlotSerializer(serializers.Serializer):
    slot_id = serializers.IntegerField()
    session_id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    slot_count = serializers.IntegerField(help_text="Consecutive slots the file takes from this one.")


class BookingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="dossier_id")
    session = serializers.IntegerField(source="session_id")
    slot = serializers.IntegerField(source="first_slot_id")
    slot_count = serializers.IntegerField()
    status = serializers.CharField()
    starts_at = serializers.DateTimeField(source="first_slot.starts_at")
    created_at = serializers.DateTimeField()
    moved_at = serializers.DateTimeField(allow_null=True)


class SlotInputSerializer(serializers.Serializer):
    slot = serializers.IntegerField(help_text="A slot id from the file's free slots.", min_value=1, max_value=MAX_ID)


class AgendaEntrySerializer(serializers.Serializer):
    position = serializers.IntegerField()
    dossier_id = serializers.IntegerField()
    reference = serializers.CharField()
    title = serializers.CharField()
    procedure = serializers.CharField()
    commune = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.CharField()


class SessionOutputSerializer(serializers.Serializer):
    # serializes a `selectors.SessionOverview`: the session, its agenda and whether the user runs it
    id = serializers.IntegerField(source="session.id")
    commission = serializers.IntegerField(source="session.commission_id")
    commission_name = serializers.CharField(source="session.commission.name_fr")
    date = serializers.DateField(source="session.date")
    starts_at = serializers.DateTimeField(source="session.starts_at")
    ends_at = serializers.DateTimeField(source="session.ends_at")
    status = serializers.CharField(source="session.status")
    runner = serializers.SerializerMethodField(help_text="True when the user records attendance and examinations.")
    agenda = serializers.SerializerMethodField()
    agenda_document = serializers.SerializerMethodField(help_text="Web URL of the agenda PDF, if generated.")

    def get_runner(self, overview: selectors.SessionOverview) -> bool:
        return overview.runner

    @extend_schema_field(AgendaEntrySerializer(many=True))
    def get_agenda(self, overview: selectors.SessionOverview) -> list[dict[str, Any]]:
        return [dict(AgendaEntrySerializer(entry).data) for entry in overview.agenda]

    def get_agenda_document(self, overview: selectors.SessionOverview) -> str | None:
        from django.urls import reverse

        if overview.agenda_output is None:
            return None
        return reverse("commission:agenda", kwargs={"session_id": overview.session.pk})


class AttendanceMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    agency = serializers.CharField()
    present = serializers.BooleanField(allow_null=True, help_text="Null while attendance is not recorded.")


class AttendanceOutputSerializer(serializers.Serializer):
    members = AttendanceMemberSerializer(many=True)
    quorum_reached = serializers.BooleanField()
    quorum_detail = serializers.CharField(allow_blank=True)


class AttendanceInputSerializer(serializers.Serializer):
    present_member_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=500
    )


class MemberOpinionSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id")
    agency = serializers.CharField(source="agency.code")
    opinion = serializers.CharField()
    motivation = serializers.CharField()
    opinion_source = serializers.CharField(source="source", help_text="session or consultation")


class ExaminationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    session = serializers.IntegerField(source="session_id")
    dossier = serializers.IntegerField(source="dossier_id")
    joint_opinion = serializers.CharField()
    joint_motivation = serializers.CharField()
    dossier_status = serializers.CharField(source="dossier.status")
    member_opinions = MemberOpinionSerializer(many=True)


class MemberStatementSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    opinion = serializers.ChoiceField(choices=OpinionValue.choices)
    motivation = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ExaminationInputSerializer(serializers.Serializer):
    dossier = serializers.IntegerField(help_text="A file of the session's agenda.", min_value=1, max_value=MAX_ID)
    joint_opinion = serializers.ChoiceField(choices=OpinionValue.choices)
    joint_motivation = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    member_opinions = MemberStatementSerializer(
        many=True, required=False, help_text="Opinions stated in session (else each agency's consultation opinion)."
    )


class CommissionDecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    motivation = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")
    conditions = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")


class OutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    download = serializers.SerializerMethodField(help_text="Web URL of the latest version (signed when signed).")
    verification = serializers.SerializerMethodField(help_text="Public verification page, once stamped.")

    def get_download(self, output: Any) -> str:
        from django.urls import reverse

        return reverse("commission:output", kwargs={"output_id": output.pk})

    def get_verification(self, output: Any) -> str | None:
        verification: dict[int, str | None] = self.context["verification"]  # `selectors.verification_paths`
        return verification[output.pk]


class SignatureRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    dossier = serializers.IntegerField(source="output.dossier_id", allow_null=True)
    reference = serializers.CharField(source="output.dossier.reference", allow_null=True)
    output = OutputSerializer()
    position = serializers.IntegerField()
    signature_field = serializers.CharField(source="field_name", help_text="The PDF signature field.")
    role_label = serializers.CharField()
    status = serializers.CharField()
    signed_at = serializers.DateTimeField(allow_null=True)


# --- look-ups -------------------------------------------------------------------------------------------------


def owned_dossier(request: Request, dossier_id: int) -> Dossier:
    """A file the user owns (applicant or their architect); 404 for anyone else."""
    dossier = dossier_for(request, dossier_id)
    if not access.is_owner(request.user, dossier):
        raise NotFound(f"There is no booking of file {dossier_id} for you.")
    return dossier


# --- the applicant --------------------------------------------------------------------------------------------


class FreeSlotsApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_slots_free",
        summary="The free slots where the file may be examined (bookable, after the cut-off).",
        responses={200: FreeSlotSerializer(many=True), **problems(404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        dossier = owned_dossier(request, dossier_id)
        slots = selectors.slots_free_for(dossier=dossier)
        return Response(FreeSlotSerializer(slots, many=True).data)


class BookingApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_booking_get",
        summary="The file's active booking.",
        responses={200: BookingOutputSerializer, **problems(404)},
    )
    def get(self, request: Request, dossier_id: int) -> Response:
        booking = selectors.booking_of(dossier=owned_dossier(request, dossier_id))
        return Response(BookingOutputSerializer(booking).data)

    @extend_schema(
        operation_id="commission_booking_create",
        summary="Book a slot (and the consecutive slots the procedure needs).",
        description="409 `Slot already booked` when another file took it first, also under concurrent requests.",
        request=SlotInputSerializer,
        responses={201: BookingOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = owned_dossier(request, dossier_id)
        data = validated(SlotInputSerializer, request.data)
        slot = selectors.slot_for(dossier=dossier, slot_id=data["slot"])
        booking = services.booking_create(
            actor=request.user, address=client_address(request), dossier=dossier, slot=slot
        )
        return Response(_booking_data(booking.pk), status=status.HTTP_201_CREATED)


def _booking_data(booking_id: int) -> Any:
    """The booking as stored after the service (its status, slot and times)."""
    return BookingOutputSerializer(selectors.booking_get(booking_id=booking_id)).data


class BookingMoveApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_booking_move",
        summary="Move the booking to another slot, until the cut-off.",
        request=SlotInputSerializer,
        responses={200: BookingOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = owned_dossier(request, dossier_id)
        booking = selectors.booking_of(dossier=dossier)
        data = validated(SlotInputSerializer, request.data)
        slot = selectors.slot_for(dossier=dossier, slot_id=data["slot"])
        booking = services.booking_move(actor=request.user, address=client_address(request), booking=booking, slot=slot)
        return Response(_booking_data(booking.pk))


class BookingCancelApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_booking_cancel",
        summary="Cancel the booking, until the cut-off; the file may book again.",
        request=EmptyInputSerializer,
        responses={200: BookingOutputSerializer, **problems(403, 404, 409)},
    )
    def post(self, request: Request, dossier_id: int) -> Response:
        booking = selectors.booking_of(dossier=owned_dossier(request, dossier_id))
        booking = services.booking_cancel(actor=request.user, address=client_address(request), booking=booking)
        assert booking.status == BookingStatus.CANCELLED
        return Response(_booking_data(booking.pk))


# --- members, president, secretariat --------------------------------------------------------------------------


class SessionListApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_sessions_list",
        summary="The coming sessions (4 weeks) of the user's commissions, each with its agenda.",
        responses={200: SessionOutputSerializer(many=True), **problems()},
    )
    def get(self, request: Request) -> Response:
        sessions = selectors.sessions_for(user=request.user)
        overviews = selectors.session_overviews(user=request.user, sessions=sessions)
        return Response(SessionOutputSerializer(overviews, many=True).data)


class SessionDetailApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_sessions_get",
        summary="One session of the user's commissions, with its agenda.",
        responses={200: SessionOutputSerializer, **problems(404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session = selectors.session_for(user=request.user, session_id=session_id)
        overview = selectors.session_overviews(user=request.user, sessions=[session])[0]
        return Response(SessionOutputSerializer(overview).data)


def _attendance(attendance: selectors.SessionAttendance) -> dict[str, Any]:
    return {
        "members": [
            {
                "member": row.member.pk,
                "name": row.member.user.get_full_name() or row.member.user.get_username(),
                "agency": row.member.agency.code,
                "present": row.present,
            }
            for row in attendance.members
        ],
        "quorum_reached": attendance.quorum.reached,
        "quorum_detail": attendance.quorum.detail,
    }


class AttendanceApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_attendance_get",
        summary="Who is present, and whether the quorum is reached.",
        responses={200: AttendanceOutputSerializer, **problems(404)},
    )
    def get(self, request: Request, session_id: int) -> Response:
        session = selectors.session_for(user=request.user, session_id=session_id)
        return Response(AttendanceOutputSerializer(_attendance(selectors.session_attendance(session=session))).data)

    @extend_schema(
        operation_id="commission_attendance_record",
        summary="Record attendance (president or secretariat); every other member is recorded absent.",
        request=AttendanceInputSerializer,
        responses={200: AttendanceOutputSerializer, **problems(400, 403, 404)},
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = selectors.session_for(user=request.user, session_id=session_id)
        data = validated(AttendanceInputSerializer, request.data)
        services.session_attendance_record(
            actor=request.user,
            address=client_address(request),
            session=session,
            present_member_ids=data["present_member_ids"],
        )
        return Response(AttendanceOutputSerializer(_attendance(selectors.session_attendance(session=session))).data)


class ExaminationRecordApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_examination_record",
        summary="Record the commission's joint opinion on a file of the agenda (quorum required).",
        request=ExaminationInputSerializer,
        responses={200: ExaminationOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, session_id: int) -> Response:
        session = selectors.session_for(user=request.user, session_id=session_id)
        data = validated(ExaminationInputSerializer, request.data)
        found = selectors.agenda_booking_for(session=session, dossier_id=data["dossier"])
        statements = {
            item["member"]: (item["opinion"], item.get("motivation", "")) for item in data.get("member_opinions") or []
        }
        examination = services.examination_record(
            actor=request.user,
            address=client_address(request),
            session=session,
            dossier=found.dossier,
            joint_opinion=data["joint_opinion"],
            joint_motivation=data["joint_motivation"],
            member_opinions=statements or None,
        )
        return Response(ExaminationOutputSerializer(selectors.examination_get(examination_id=examination.pk)).data)


class ExaminationDecideApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_examination_decide",
        summary="The president decides; the minutes, the decision and the stamped plans go to signature.",
        request=CommissionDecideInputSerializer,
        responses={200: ExaminationOutputSerializer, **problems(400, 403, 404, 409)},
    )
    def post(self, request: Request, examination_id: int) -> Response:
        examination = selectors.examination_for(user=request.user, examination_id=examination_id)
        data = validated(CommissionDecideInputSerializer, request.data)
        services.examination_decide(
            actor=request.user, address=client_address(request), examination=examination, **data
        )
        return Response(ExaminationOutputSerializer(selectors.examination_get(examination_id=examination.pk)).data)


# --- signers --------------------------------------------------------------------------------------------------


class SignatureListApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_signatures_pending",
        summary="The signatures whose turn has come for the user.",
        responses={200: SignatureRequestSerializer(many=True), **problems()},
    )
    def get(self, request: Request) -> Response:
        pending = selectors.signature_requests_pending_for(user=request.user)
        verification = selectors.verification_paths(outputs=[item.output for item in pending])
        return Response(SignatureRequestSerializer(pending, many=True, context={"verification": verification}).data)


class SignatureSignApi(PermitsApiView):
    @extend_schema(
        operation_id="commission_signatures_sign",
        summary="Sign (in turn): the PAdES signature is applied in the background; poll the status.",
        request=EmptyInputSerializer,
        responses={202: SignatureRequestSerializer, **problems(403, 404, 409)},
    )
    def post(self, request: Request, request_id: int) -> Response:
        found = selectors.signature_request_for(user=request.user, request_id=request_id)
        services.signature_request_sign(actor=request.user, address=client_address(request), request=found)
        refreshed = selectors.signature_request_for(user=request.user, request_id=found.pk)
        verification = selectors.verification_paths(outputs=[refreshed.output])
        serializer = SignatureRequestSerializer(refreshed, context={"verification": verification})
        return Response(serializer.data, status=status.HTTP_202_ACCEPTED)
