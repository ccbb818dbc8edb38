"""A scripted journey of one building-permit file on the Cambridge demo data (`manage.py demo_permit_flow`).

It needs `manage.py load_demo` (territories, parcels, heritage and special-district overlays) and loads the
procedure catalogue itself. Each run files a new dossier, with demo users created on first use, and reports
each step: the reference, the frozen pre-check, the dispatch with its reasons and deadlines, opinions, a
remarks round, a tacit opinion at the deadline, then the legal path to the decision (`demo.common`): a slot booked
before the commune's commission, the session held with the quorum, the examination, the president's decision, the
PAdES signatures of the PV, the decision and the authorised plans in sequence (development PKI), the publication
by the last verified signature, and the audit chain.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from demo.cambridge import DEMO_COMMUNE
from demo.common import (
    ADDRESS,
    DemoDataMissing,
    ReportFunction,
    agency_member,
    commission_for,
    demo_application_sign,
    demo_mandate,
    demo_user,
    heritage_site,
    plan_pdf,
    session_hold,
    signatures_in_sequence,
    slot_book,
)
from gis_core.models import Territory
from permits import selectors, services
from permits.audit import audit_verify
from permits.commissions import services as commission_services
from permits.models import ConsultationStatus, Dossier, OpinionValue, Procedure, Role


def demo_permit_flow(*, report: ReportFunction = print) -> Dossier:
    """Run one building-permit file from draft to publication and report each step."""
    commune = Territory.objects.filter(code=DEMO_COMMUNE).first()
    if commune is None:
        raise DemoDataMissing(f"commune {DEMO_COMMUNE} is missing: run `manage.py load_demo` first")
    services.procedures_load()
    procedure = Procedure.objects.get(code="building-permit")
    parcel, footprint = heritage_site(commune)
    applicant = demo_user("demo-applicant")
    architect = demo_user("demo-architect", Role.ARCHITECT)
    desk = demo_user("demo-desk", Role.DESK_AGENT, commune)
    mandate = demo_mandate(architect=architect, applicant=applicant)
    report(f"0. {applicant} accepted {architect}'s invitation: mandate #{mandate.pk} for all their files")

    dossier = services.dossier_create(
        actor=architect,
        address=ADDRESS,
        applicant=applicant,
        procedure=procedure,
        commune=commune,
        parcels=[parcel],
        footprint=footprint,
        title="Demo: four-storey house in a historic district",
        height_m=13.0,
        floors=4,
        gross_floor_area_m2=620.0,
        use="residential",
        units=4,
    )
    report(f"1. draft #{dossier.pk} created by {architect} for {applicant} on parcel {parcel.reference}")
    uploads = {}
    for required in services.documents_missing_mandatory(dossier=dossier):
        uploads[required.code] = services.document_upload(
            actor=architect,
            address=ADDRESS,
            dossier=dossier,
            document_type=required.code,
            uploaded_file=plan_pdf(f"{required.code}.pdf", required.label_fr),
        )
    report(f"   uploaded the mandatory documents: {', '.join(uploads)}")
    demo_application_sign(dossier, report)
    dossier = services.dossier_submit(actor=architect, address=ADDRESS, dossier=dossier)
    failed = [check["rule"] for check in dossier.precheck.get("checks", []) if check["status"] == "fail"]
    report(f"2. filed as {dossier.reference}; pre-check {dossier.precheck['status']} (failing: {failed or 'none'})")
    report(f"   overlapping files at filing: {[o['reference'] for o in dossier.overlaps_at_filing] or 'none'}")

    dossier = services.dossier_check_completeness(actor=desk, address=ADDRESS, dossier=dossier, complete=True)
    report(f"3. complete; under instruction, round {dossier.current_round}, dispatched to:")
    for row in selectors.consultation_deadlines(dossier=dossier):
        consultation = dossier.consultations.get(pk=row.consultation_id)
        why = ", ".join(
            reason["rule"] + (f" {reason.get('kind')}" if "kind" in reason else "") for reason in consultation.reasons
        )
        kind = "permanent" if row.permanent else "occasional"
        days = row.business_days_remaining
        report(f"   - {row.agency_code:<18} {kind:<10} ({why}) deadline {row.deadline}, {days} business days")

    heritage = dossier.consultations.get(round__number=1, agency__code="MCULTURE")
    services.opinion_give(
        actor=agency_member(heritage.agency),
        address=ADDRESS,
        consultation=heritage,
        opinion=OpinionValue.FAVOURABLE_WITH_RESERVATIONS,
        motivation="Keep the cornice line of the district.",
    )
    report("4. MCULTURE: favourable with reservations")
    remark = services.remark_issue(
        actor=agency_member(heritage.agency),
        address=ADDRESS,
        dossier=dossier,
        text="Show the roofing materials on the elevations.",
        document_reference="architectural-plans",
        location={"page": 3, "x": 0.52, "y": 0.31},
    )
    dossier = services.remarks_send_to_applicant(actor=desk, address=ADDRESS, dossier=dossier)
    report(f"5. remark #{remark.pk} issued and sent; file is {dossier.status}")
    revised = services.document_upload(
        actor=architect,
        address=ADDRESS,
        dossier=dossier,
        document_type="revised-plan",
        uploaded_file=plan_pdf("elevations-revised.pdf", "Élévations révisées (toiture en ardoise)"),
        supersedes=uploads.get("architectural-plans"),
    )
    services.remark_reply(
        actor=architect,
        address=ADDRESS,
        remark=remark,
        text="Elevations revised (slate roof).",
        attachments=[revised.pk],
    )
    dossier.refresh_from_db()
    report(f"6. architect replied with revised plans; file is {dossier.status}, round {dossier.current_round}")
    services.remark_close(actor=desk, address=ADDRESS, remark=remark, note="satisfied")
    report("7. remark closed by the desk")

    pending = list(dossier.consultations.filter(round__number=dossier.current_round).select_related("agency"))
    silent = pending[-1]
    for consultation in pending[:-1]:
        services.opinion_give(
            actor=agency_member(consultation.agency), address=ADDRESS, consultation=consultation, opinion="favourable"
        )
        report(f"8. {consultation.agency.code}: favourable")
    after_deadline = timezone.make_aware(datetime.combine(silent.deadline + timedelta(days=1), datetime.min.time()))
    services.consultations_apply_tacit(now=after_deadline)
    silent.refresh_from_db()
    assert silent.status == ConsultationStatus.TACIT
    report(f"9. {silent.agency.code} silent past {silent.deadline}: tacit {silent.opinion}")

    commission = commission_for(procedure, commune, report)
    session = slot_book(dossier, commission)
    booked_at = timezone.localtime(dossier.commission_bookings.get().first_slot.starts_at)
    report(f"10. the applicant books a slot before {commission.name_fr}: {booked_at:%Y-%m-%d %H:%M}")
    dossier = services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=dossier)
    report(f"11. the desk sends the file to the commission; file is {dossier.status}")
    examination = session_hold(
        dossier,
        session,
        joint_opinion=OpinionValue.FAVOURABLE_WITH_RESERVATIONS,
        joint_motivation="Toiture en ardoise et ligne de corniche du quartier.",
        report=report,
    )
    commission_services.examination_decide(
        actor=commission.president,
        address=ADDRESS,
        examination=examination,
        decision="favourable_with_conditions",
        conditions="Slate roof and cornice line as agreed with the heritage service.",
    )
    dossier.refresh_from_db()
    report(f"12. the president decides from the examination: {dossier.decision}")
    report("13. signatures in sequence (PV: each member present; decision: the signing authority; plans: president)")
    signatures_in_sequence(dossier, report)
    dossier.refresh_from_db()
    report(f"14. signed and {dossier.status}")
    events = selectors.audit_events_for(dossier=dossier).count()
    chain = audit_verify()
    report(f"15. {events} audit events for {dossier.reference}; chain of {chain.checked} events intact: {chain.ok}")
    return dossier
