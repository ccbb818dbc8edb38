"""Services of the commissions (writes), keyword-only, each one transaction with its audit events.

| service | who | effect |
|---|---|---|
| `commission_create`, `commission_member_add`, `procedure_duration_set`, `schedule_create` | administration | set-up |
| `sessions_generate(*, weeks, today=None, commission=None)` | system (beat, command) | sessions N weeks ahead |
| `booking_create(*, actor, address, dossier, slot, now=None)` | applicant | 409 `SlotTaken` if taken |
| `booking_move(...)`, `booking_cancel(...)` | applicant | until the cut-off (409 `BookingClosed`) |
| `session_agenda_send(*, session, actor=None) -> AgendaSent` | system / secretariat | agenda PDF, sent once |
| `session_attendance_record(*, actor, address, session, present_member_ids)` | president, secretariat | |
| `examination_record(*, actor, address, session, dossier, joint_opinion, ...)` | president, secretariat | quorum |
| `examination_decide(*, actor, address, examination, decision, motivation="", conditions="")` | president | PDFs |
| `service_decide(*, actor, address, dossier, decision, motivation="", ...)` | catalogue's role | no commission |
| `signature_request_sign(*, actor, address, request)` | the signer, in turn | PAdES in Celery |
"""

from permits.commissions.booking import booking_cancel, booking_create, booking_move
from permits.commissions.examination import (
    examination_decide,
    examination_record,
    session_agenda_send,
    session_attendance_record,
)
from permits.commissions.scheduling import (
    commission_create,
    commission_member_add,
    procedure_duration_set,
    schedule_create,
    sessions_generate,
)
from permits.commissions.service_decision import service_decide
from permits.commissions.signatures import (
    dossier_complete_signing,
    outputs_prepare,
    signature_request_run,
    signature_request_sign,
)

__all__ = [
    "booking_cancel",
    "booking_create",
    "booking_move",
    "commission_create",
    "commission_member_add",
    "dossier_complete_signing",
    "examination_decide",
    "examination_record",
    "outputs_prepare",
    "procedure_duration_set",
    "schedule_create",
    "service_decide",
    "session_agenda_send",
    "session_attendance_record",
    "sessions_generate",
    "signature_request_run",
    "signature_request_sign",
]
