"""The workflow's actions on a file, as POST sub-resources of /api/dossiers/{id}/: a table of small classes, each
naming its input and the one service it calls. Every action answers with the file as it now is.

A file is decided, signed and published only on the legal path: its commission's president decides from its
examination in session (`commission/examinations/{id}/decide/`, `permits.api.commissions`), each signer signs
the decision's documents (`commission/signatures/{id}/sign/`), and the last verified signature signs and
publishes the file. The one decision taken here is a service's, for the procedures that need no commission.

The services check the status (409 when the action is not possible now) and the actor's role (403); the file
itself is looked up first, so a file the user may not see is a 404.
"""

from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from permits import services
from permits.api.common import EmptyInputSerializer, PermitsApiView, client_address, dossier_for, problems, validated
from permits.api.serializers import DossierOutputSerializer
from permits.commissions import services as commission_services
from permits.models import Decision, Dossier


class DossierActionApi(PermitsApiView):
    """POST runs `run` with the validated input on the file the user may see; subclasses set the rest."""

    input_serializer: ClassVar[type[serializers.Serializer]] = EmptyInputSerializer

    def run(self, *, actor: Any, address: str | None, dossier: Dossier, **data: Any) -> Any:
        raise NotImplementedError

    def post(self, request: Request, dossier_id: int) -> Response:
        dossier = dossier_for(request, dossier_id)
        data = validated(self.input_serializer, request.data or {})
        self.run(actor=request.user, address=client_address(request), dossier=dossier, **data)
        dossier = dossier_for(request, dossier_id)
        return Response(DossierOutputSerializer(dossier, context={"request": request}).data)


def action_schema(
    *, operation_id: str, summary: str, request: Any = EmptyInputSerializer, description: str = ""
) -> Any:
    """The OpenAPI description of one action: its input, the file in return, its problems."""
    return extend_schema(
        operation_id=operation_id,
        summary=summary,
        description=description,
        request=request,
        responses={200: DossierOutputSerializer, **problems(400, 403, 404, 409)},
    )


@extend_schema_view(
    post=action_schema(
        operation_id="dossiers_submit",
        summary="File a draft (or re-file a file returned as incomplete).",
        description="Owner only. Gives the reference on first filing and freezes the pre-check and overlaps.",
    )
)
class DossierSubmitApi(DossierActionApi):
    def run(self, *, actor: Any, address: str | None, dossier: Dossier, **data: Any) -> Any:
        return services.dossier_submit(actor=actor, address=address, dossier=dossier)


class CompletenessInputSerializer(serializers.Serializer):
    complete = serializers.BooleanField(help_text="True: the file enters instruction and is dispatched.")
    missing_documents = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=100, help_text="Document types."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


@extend_schema_view(
    post=action_schema(
        operation_id="dossiers_check_completeness",
        summary="The desk's completeness check.",
        description="Desk agent. Complete: round 1 is opened and dispatched to the commission's members. "
        "Incomplete: the file goes back to the applicant with what is missing (`missing_documents` or `note`).",
        request=CompletenessInputSerializer,
    )
)
class DossierCompletenessApi(DossierActionApi):
    input_serializer = CompletenessInputSerializer

    def run(self, *, actor: Any, address: str | None, dossier: Dossier, **data: Any) -> Any:
        return services.dossier_check_completeness(actor=actor, address=address, dossier=dossier, **data)


class WithdrawInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)


@extend_schema_view(
    post=action_schema(
        operation_id="dossiers_withdraw",
        summary="Withdraw an open file.",
        description="Owner only; pending consultations are closed.",
        request=WithdrawInputSerializer,
    )
)
class DossierWithdrawApi(DossierActionApi):
    input_serializer = WithdrawInputSerializer

    def run(self, *, actor: Any, address: str | None, dossier: Dossier, **data: Any) -> Any:
        return services.dossier_withdraw(actor=actor, address=address, dossier=dossier, **data)


@extend_schema_view(
    post=action_schema(
        operation_id="dossiers_send_to_commission",
        summary="Put the file before the commission.",
        description="Desk agent; every opinion of the round given (or tacit) and every remark closed; only for a "
        "procedure decided by a commission (409 for one decided by a service: `decide-without-commission/`).",
    )
)
class DossierSendToCommissionApi(DossierActionApi):
    def run(self, *, actor: Any, address: str | None, dossier: Dossier, **data: Any) -> Any:
        return services.dossier_send_to_commission(actor=actor, address=address, dossier=dossier)


class DecideInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    motivation = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text="Required for an unfavourable decision."
    )
    conditions = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text="Required for a favourable one with conditions."
    )


@extend_schema_view(
    post=action_schema(
        operation_id="dossiers_decide_without_commission",
        summary="The service decides a file whose procedure needs no commission.",
        description="Only for a procedure the catalogue says is decided by a service (`decided_by: service`, e.g. the "
        "simple declaration), only by the role it names (`decision_role`), once every opinion is in and every "
        "remark closed. The decision document is then signed by a signing authority of the commune "
        "(`commission/signatures/`); the file is signed and published when that PAdES signature verifies. Any "
        "other file is decided only by its commission's president, from its examination in a session with the "
        "quorum (`commission/examinations/{examination_id}/decide/`): 409 here. There is no other way to decide, "
        "sign or publish a file.",
        request=DecideInputSerializer,
    )
)
class DossierDecideWithoutCommissionApi(DossierActionApi):
    input_serializer = DecideInputSerializer

    def run(self, *, actor: Any, address: str | None, dossier: Dossier, **data: Any) -> Any:
        return commission_services.service_decide(actor=actor, address=address, dossier=dossier, **data)


@extend_schema_view(
    post=action_schema(
        operation_id="dossiers_send_remarks",
        summary="Send the round's open remarks to the applicant, who must now reply.",
        description="Desk agent; the file must have remarks issued.",
    )
)
class DossierSendRemarksApi(DossierActionApi):
    def run(self, *, actor: Any, address: str | None, dossier: Dossier, **data: Any) -> Any:
        return services.remarks_send_to_applicant(actor=actor, address=address, dossier=dossier)
