"""A scripted commission journey on the Cambridge demo data (`manage.py demo_commission_flow`).

Needs `manage.py load_demo`. It sets up the demo commune's building-permit commission (members of each permanent
agency, Tuesday/Thursday 9:00-12:00 sessions), files a building permit, books the first free slot, takes the file to
the commission, sends the agenda, holds the session with the quorum, decides from the examination, and has every
output signed in sequence with development certificates (`SIGNING_PKI_DIR`), the signatures running in-process; the
last one signs and publishes the file. It reports each step and the file's status (the steps: `demo.common`).
"""

from django.utils import timezone

from demo.cambridge import DEMO_COMMUNE
from demo.common import (
    ADDRESS,
    DemoDataMissing,
    ReportFunction,
    agency_member,
    commission_for,
    demo_application_sign,
    demo_user,
    heritage_site,
    plan_pdf,
    session_hold,
    signatures_in_sequence,
    slot_book,
)
from gis_core.models import Territory
from permits import services as permit_services
from permits.commissions import services
from permits.models import ConsultationStatus, Dossier, OpinionValue, Procedure, Role


def _file_under_instruction(procedure: Procedure, commune: Territory, report: ReportFunction) -> Dossier:
    parcel, footprint = heritage_site(commune)
    applicant = demo_user("demo-applicant")
    desk = demo_user("demo-desk", Role.DESK_AGENT, commune)
    dossier = permit_services.dossier_create(
        actor=applicant,
        address=ADDRESS,
        procedure=procedure,
        commune=commune,
        parcels=[parcel],
        footprint=footprint,
        title="Demo: three-storey house before the commission",
        height_m=9.0,
        floors=3,
        gross_floor_area_m2=380.0,
        use="residential",
        units=2,
    )
    for required in permit_services.documents_missing_mandatory(dossier=dossier):
        permit_services.document_upload(
            actor=applicant,
            address=ADDRESS,
            dossier=dossier,
            document_type=required.code,
            uploaded_file=plan_pdf(f"{required.code}.pdf", required.label_fr),
        )
    demo_application_sign(dossier, report)
    dossier = permit_services.dossier_submit(actor=applicant, address=ADDRESS, dossier=dossier)
    dossier = permit_services.dossier_check_completeness(actor=desk, address=ADDRESS, dossier=dossier, complete=True)
    report(f"2. file {dossier.reference} filed, complete and dispatched")
    return dossier


def _give_opinions_and_send(dossier: Dossier, commune: Territory) -> Dossier:
    for consultation in dossier.consultations.filter(status=ConsultationStatus.PENDING).select_related("agency"):
        permit_services.opinion_give(
            actor=agency_member(consultation.agency),
            address=ADDRESS,
            consultation=consultation,
            opinion=OpinionValue.FAVOURABLE,
            motivation=f"Avis favorable de {consultation.agency.code}.",
        )
    desk = demo_user("demo-desk", Role.DESK_AGENT, commune)
    return permit_services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=dossier)


def demo_commission_flow(*, report: ReportFunction = print, weeks: int = 4) -> Dossier:
    """Run one file through booking, agenda, session, decision and signatures; report each step."""
    commune = Territory.objects.filter(code=DEMO_COMMUNE).first()
    if commune is None:
        raise DemoDataMissing(f"commune {DEMO_COMMUNE} is missing: run `manage.py load_demo` first")
    permit_services.procedures_load()
    procedure = Procedure.objects.get(code="building-permit")
    report("1. the commission of the demo commune")
    commission = commission_for(procedure, commune, report, weeks=weeks)
    dossier = _file_under_instruction(procedure, commune, report)
    session = slot_book(dossier, commission)
    booked_at = timezone.localtime(dossier.commission_bookings.get().first_slot.starts_at)
    report(f"3. slot booked by {dossier.applicant}: {booked_at:%Y-%m-%d %H:%M}")
    dossier = _give_opinions_and_send(dossier, commune)
    report("4. opinions given; the file is before the commission")
    examination = session_hold(
        dossier, session, joint_opinion=OpinionValue.FAVOURABLE, joint_motivation="Projet conforme.", report=report
    )
    services.examination_decide(
        actor=commission.president, address=ADDRESS, examination=examination, decision="favourable"
    )
    report("5. the president decides from the examination: favourable")
    report("6. signatures in sequence (PV: each member present; decision: the signing authority; plans: president)")
    signatures_in_sequence(dossier, report)
    dossier.refresh_from_db()
    report(f"7. file {dossier.reference} is {dossier.status}")
    return dossier
