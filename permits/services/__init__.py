"""Services of the permits domain (writes): each runs in one transaction, checks the actor, writes its audit
event and schedules its side effects on commit. Faces import them from here."""

from permits.services.catalogue import procedures_load
from permits.services.decisions import (
    dossier_decide,
    dossier_decide_tacitly,
    dossier_decide_without_commission,
    dossier_publish,
    dossier_seal_tacit_decision,
    dossier_sign,
)
from permits.services.documents import (
    document_upload,
    documents_missing_mandatory,
    documents_require_mandatory,
    revised_plans_check,
)
from permits.services.filing import (
    dossier_create,
    dossier_submit,
    dossier_update,
    dossier_withdraw,
    footprint_from_input,
    reference_allocate,
)
from permits.services.instruction import (
    consultations_apply_tacit,
    dossier_check_completeness,
    dossier_send_to_commission,
    opinion_give,
)
from permits.services.people import (
    profile_get,
    profile_update,
    role_grant,
    role_grant_approve,
    role_grant_refusal,
    role_grant_reject,
    role_grant_request,
)
from permits.services.precheck import dossier_precheck_compute
from permits.services.remarks import remark_close, remark_issue, remark_reply, remarks_send_to_applicant

__all__ = [
    "consultations_apply_tacit",
    "document_upload",
    "documents_missing_mandatory",
    "documents_require_mandatory",
    "dossier_check_completeness",
    "dossier_create",
    "dossier_decide",
    "dossier_decide_tacitly",
    "dossier_decide_without_commission",
    "dossier_precheck_compute",
    "dossier_publish",
    "dossier_seal_tacit_decision",
    "dossier_send_to_commission",
    "dossier_sign",
    "dossier_submit",
    "dossier_update",
    "dossier_withdraw",
    "footprint_from_input",
    "opinion_give",
    "procedures_load",
    "profile_get",
    "profile_update",
    "reference_allocate",
    "remark_close",
    "remark_issue",
    "remark_reply",
    "remarks_send_to_applicant",
    "revised_plans_check",
    "role_grant",
    "role_grant_approve",
    "role_grant_refusal",
    "role_grant_reject",
    "role_grant_request",
]
