"""Writes: the decision of a procedure that needs no commission (the catalogue's `decided_by: service`, e.g. the
simple declaration of an economic activity, decided by the economic-affairs service).

`service_decide` runs `permits.services.dossier_decide_without_commission` (the workflow's DECIDE_WITHOUT_COMMISSION:
only for such procedures, only by the role the catalogue names, once every opinion is in and every remark closed)
and, in the same transaction, generates and stamps the service's decision and asks a signing authority of the
file's commune to sign it (`signatures.service_outputs_prepare`). The file is then signed and published like any
other, by its PAdES signature (`signatures.signature_request_sign`). A file whose procedure needs a commission is
refused (409): it is decided only from its examination in session.
"""

from typing import Any

from django.db import transaction

from permits import services
from permits.commissions.models import OutputDocument
from permits.commissions.signatures import service_outputs_prepare
from permits.models import Dossier
from permits.refusals import refusals_audited


@refusals_audited("commission.service_decision")
@transaction.atomic
def service_decide(
    *, actor: Any, address: str | None, dossier: Dossier, decision: str, motivation: str = "", conditions: str = ""
) -> list[OutputDocument]:
    """The service decides the file; its decision document awaits the signing authority's signature."""
    dossier = services.dossier_decide_without_commission(
        actor=actor, address=address, dossier=dossier, decision=decision, motivation=motivation, conditions=conditions
    )
    return service_outputs_prepare(dossier=dossier, actor=actor, address=address)
