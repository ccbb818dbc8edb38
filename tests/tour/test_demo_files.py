"""`demo_files` makes a file of every procedure in every state it has, through the real services and the legal path
(published files are signed with verified PAdES signatures and went through `dossier.sign`), several of them
published so that the public map is not empty; the procedures that need a site inspection show each of its steps,
and their decided files were inspected first (the report closed and signed by the demo inspector); each file carries
its procedure's own answers, each filed one was signed by its applicant (the generated application form) before its
submission, and the building permits were filed by the demo architect under the applicant's mandate; a second run
changes nothing."""

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from demo.tour import ANSWERS, FILED_BY_ARCHITECT, INSPECTION_STATES, STATE_PATHS, STATES, file_status_of, tour_plan
from gis_core.signing.services import document_verify
from permits.answers import answers_columns
from permits.commissions.selectors import output_latest_version
from permits.inspections.models import Inspection, InspectionStatus, ProcedureInspection
from permits.inspections.selectors import report_latest_version
from permits.models import DecisionPath, Dossier, DossierStatus, Procedure
from permits.workflow import DECIDED_GROUP
from tests.legal_path import LegalPath

pytestmark = pytest.mark.django_db


def test_demo_files_every_procedure_in_every_state_and_idempotent(legal_path: LegalPath, settings: Any) -> None:
    settings.DEMO_PASSWORD = "urbaplan-demo"
    call_command("load_demo", stdout=StringIO())
    first = StringIO()
    call_command("demo_files", stdout=first)
    print(first.getvalue().splitlines()[-1])  # "Demo files: N made, 0 already there (S s)." on a fresh database

    procedures = list(Procedure.objects.filter(active=True))
    assert len(procedures) == 7
    present = set(Dossier.objects.values_list("procedure__code", "status"))
    inspected = set(ProcedureInspection.objects.filter(required=True).values_list("procedure__code", flat=True))
    assert inspected == {"occupancy-permit", "certificate-of-conformity"}
    for procedure in procedures:
        expected = {state for state, applies in STATES if applies(procedure)}
        assert {status for code, status in present if code == procedure.code} >= {
            file_status_of(state) for state in expected
        }, procedure.code
        if procedure.decided_by == DecisionPath.SERVICE:
            assert DossierStatus.IN_COMMISSION not in expected  # its service decides: no commission
        assert (set(INSPECTION_STATES) <= expected) is (procedure.code in inspected), procedure.code
    assert set(STATE_PATHS) == {state for state, _ in STATES}
    for planned in tour_plan(procedures):
        dossier = Dossier.objects.get(title=planned.title)
        assert dossier.status == file_status_of(planned.state), planned.title
        if planned.state in INSPECTION_STATES:  # the inspection's step the tour shows, with the demo inspector
            inspection = dossier.inspections.get()
            assert inspection.status == INSPECTION_STATES[planned.state], planned.title
            assert inspection.inspector is not None and inspection.inspector.username == "demo-inspector"

    # Each file answers its procedure's own form (the linked ones name their parent); a procedure with its own form
    # carries no building parameter but those its answers fill (a linked file keeps its parent's); each file that
    # left its draft was signed by its applicant (the application form of its content then) before its last filing.
    tour_files = Dossier.objects.filter(title__startswith="Tour · ").select_related("procedure", "parent_dossier")
    for dossier in tour_files:
        procedure = dossier.procedure
        assert (procedure.code in ANSWERS) is bool(procedure.form_fields), procedure.code
        assert set(ANSWERS.get(procedure.code, {})) <= set(dossier.answers), dossier.title
        if procedure.parent_id is not None:
            assert dossier.parent_dossier is not None, dossier.title
            assert dossier.answers["permit_reference"] == dossier.parent_dossier.reference, dossier.title
        elif procedure.form_fields:  # the building columns are only those its answers fill
            columns = answers_columns(procedure=procedure, answers=dossier.answers)
            for column in ("height_m", "floors", "gross_floor_area_m2", "units"):
                assert getattr(dossier, column) == columns.get(column), (dossier.title, column)
        if dossier.submitted_at is not None:
            signature = dossier.application_signatures.first()
            assert signature is not None and signature.signer_id == dossier.applicant_id, dossier.title
            assert signature.signed_at <= dossier.submitted_at, dossier.title
        if procedure.code in FILED_BY_ARCHITECT and procedure.parent_id is None:
            assert dossier.architect is not None and dossier.architect.username == "demo-architect", dossier.title
            assert dossier.mandate is not None and dossier.mandate.applicant_id == dossier.applicant_id, dossier.title
            assert dossier.applicant.username == "demo-applicant", dossier.title
        else:
            assert dossier.architect_id is None, dossier.title

    # Every decided file of a procedure with a site inspection was inspected first: scheduled, confirmed by the
    # applicant, every checklist item answered, a photo with its position, a verdict, the report closed and signed
    # by the demo inspector with a valid PAdES signature.
    decided_inspected = Dossier.objects.filter(procedure__code__in=inspected, status__in=DECIDED_GROUP)
    assert decided_inspected.count() >= 2 * len(inspected)
    for dossier in decided_inspected:
        inspection = Inspection.objects.get(dossier=dossier)
        assert inspection.status == InspectionStatus.CLOSED and inspection.verdict == "conform"
        assert inspection.confirmed_at is not None and inspection.closed_by is not None
        assert inspection.closed_by.username == "demo-inspector"
        checklist = set(dossier.procedure.inspection_checklist.values_list("code", flat=True))
        assert checklist and set(inspection.answers.values_list("item_code", flat=True)) == checklist
        photo = inspection.photos.get()
        assert photo.exif_position is not None and dossier.footprint is not None
        assert dossier.footprint.distance(photo.exif_position) < 1e-4  # taken on the building
        report = report_latest_version(inspection=inspection)
        assert report is not None, dossier.reference
        verdict = document_verify(document=report)
        assert verdict.status == "valid" and len(verdict.signatures) == 1, dossier.reference
        actions = list(dossier.audit_events.order_by("sequence").values_list("action", flat=True))
        assert actions.index("inspection.closed") < actions.index("dossier.decide"), dossier.reference
        assert "inspection.report_signed" in actions

    published = Dossier.objects.filter(status=DossierStatus.PUBLISHED)
    assert published.count() >= len(procedures) + 2  # one per procedure, and more building permits
    for dossier in published:
        actions = list(dossier.audit_events.order_by("sequence").values_list("action", flat=True))
        assert actions[-2:] == ["dossier.sign", "dossier.publish"], dossier.reference
        outputs = list(dossier.commission_outputs.all())
        assert outputs, dossier.reference
        for output in outputs:
            verdict = document_verify(document=output_latest_version(output=output))
            assert verdict.status == "valid" and verdict.signatures, (dossier.reference, output.kind)
    linked = Dossier.objects.filter(procedure__parent__isnull=False)
    assert linked.exists()
    assert all(file.parent_dossier is not None and file.parent_dossier.is_authorised for file in linked)

    demo_people = User.objects.filter(username__startswith="demo-")
    assert demo_people.count() >= 6 and all(user.check_password("urbaplan-demo") for user in demo_people)

    before = sorted(Dossier.objects.values_list("pk", "status", "updated_at"))
    events = sum(dossier.audit_events.count() for dossier in Dossier.objects.all())
    second = StringIO()
    call_command("demo_files", stdout=second)
    assert "0 made" in second.getvalue(), second.getvalue()
    assert sorted(Dossier.objects.values_list("pk", "status", "updated_at")) == before
    assert sum(dossier.audit_events.count() for dossier in Dossier.objects.all()) == events
