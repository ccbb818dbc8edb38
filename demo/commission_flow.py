"""A scripted commission journey on the Cambridge demo data (`manage.py demo_commission_flow`).

Needs `manage.py load_demo`. It sets up the demo commune's building-permit commission (members of each permanent
agency, Tuesday/Thursday 9:00-12:00 sessions), files a building permit up to "in commission", books the first free
slot, sends the agenda, holds the session, decides, and has every output signed in sequence with development
certificates (`SIGNING_PKI_DIR`), the signatures running in-process; it reports each step and the file's status.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time
from pathlib import Path

from celery import current_app as celery_app
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from demo.cambridge import DEMO_COMMUNE
from demo.permit_flow import ADDRESS, DemoDataMissing, agency_member, demo_user, heritage_site
from gis_core.models import Territory
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.services import document_verify
from permits import services as permit_services
from permits.commissions import selectors, services
from permits.commissions.models import Commission, SignatureStatus
from permits.commissions.pdf import render_pdf
from permits.models import ConsultationStatus, Dossier, OpinionValue, Procedure, Role

ReportFunction = Callable[[str], None]


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """Celery tasks enqueued meanwhile (signatures, notifications) run here, at once."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


def _plan_pdf(title: str) -> bytes:
    """A one-page plan with some drawing instructions (a real content stream: the stamp is added on top)."""
    return render_pdf(template_names=["demo/plan.html"], context={"title": title})


def _commission(procedure: Procedure, commune: Territory, report: ReportFunction) -> Commission:
    existing = Commission.objects.filter(territory=commune, procedures=procedure).first()
    if existing is not None:
        return existing
    president = demo_user("demo-president", Role.COMMISSION_PRESIDENT, commune)
    commission = services.commission_create(
        name_fr="",
        name_ar="لجنة رخص البناء",
        territory=commune,
        family=procedure.family,
        procedures=[procedure],
        quorum_minimum_members=2,
        president=president,
        signing_authority=demo_user("demo-signing-authority", Role.SIGNING_AUTHORITY, commune),
        secretary=demo_user("demo-desk", Role.DESK_AGENT, commune),
    )
    for seat in procedure.permanent_members.select_related("agency"):
        services.commission_member_add(commission=commission, user=agency_member(seat.agency), agency=seat.agency)
    services.schedule_create(commission=commission, weekdays=[1, 3], start_time=time(9), end_time=time(12))
    services.procedure_duration_set(commission=commission, procedure=procedure, minutes=30)
    report(f"1. commission '{commission.name_fr}' with {commission.members.count()} permanent members")
    return commission


def _file_in_commission(procedure: Procedure, commune: Territory, report: ReportFunction) -> Dossier:
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
        data = _plan_pdf(required.label_fr)
        permit_services.document_upload(
            actor=applicant,
            address=ADDRESS,
            dossier=dossier,
            document_type=required.code,
            uploaded_file=SimpleUploadedFile(f"{required.code}.pdf", data, content_type="application/pdf"),
        )
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
    commission = _commission(procedure, commune, report)
    created = services.sessions_generate(weeks=weeks, commission=commission)
    report(f"   {len(created.created)} session(s) generated; holidays skipped: {created.skipped_holidays or 'none'}")
    dossier = _file_in_commission(procedure, commune, report)
    free = selectors.slots_free_for(dossier=dossier)
    if not free:
        raise DemoDataMissing("no free slot in the coming weeks: generate more sessions")
    slot = commission.sessions.get(pk=free[0].session_id).slots.get(pk=free[0].slot_id)
    services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
    report(f"3. slot booked by {dossier.applicant}: {timezone.localtime(slot.starts_at):%Y-%m-%d %H:%M}")
    dossier = _give_opinions_and_send(dossier, commune)
    session = slot.session
    agenda = services.session_agenda_send(session=session)
    report(f"4. agenda sent to {commission.members.count()} members ({selectors.output_latest_version(output=agenda)})")
    president = commission.president
    members = list(commission.members.filter(active=True))
    services.session_attendance_record(
        actor=president, address=ADDRESS, session=session, present_member_ids=[member.pk for member in members]
    )
    examination = services.examination_record(
        actor=president,
        address=ADDRESS,
        session=session,
        dossier=dossier,
        joint_opinion=OpinionValue.FAVOURABLE,
        joint_motivation="Projet conforme.",
    )
    services.examination_decide(actor=president, address=ADDRESS, examination=examination, decision="favourable")
    report(f"5. session held: {len(members)} present, joint opinion favourable, decision favourable")
    pki = DevelopmentPki(Path(settings.SIGNING_PKI_DIR))
    pki.ensure()
    for request in examination.outputs.all().prefetch_related("signature_requests"):
        for signature in request.signature_requests.order_by("position"):
            pki.user(signature.signer.get_username())
            if signature.status == SignatureStatus.PENDING:
                with tasks_in_process(), transaction.atomic():  # the signature task runs when this commits
                    services.signature_request_sign(actor=signature.signer, address=ADDRESS, request=signature)
                services.signature_request_run(request_id=signature.pk)  # idempotent: a no-op once the task ran
    for output in examination.outputs.all():
        latest = selectors.output_latest_version(output=output)
        verdict = document_verify(document=latest)
        report(f"6. {output.kind}: version {latest.version}, {len(verdict.signatures)} signature(s), {verdict.status}")
    dossier.refresh_from_db()
    report(f"7. file {dossier.reference} is {dossier.status}")
    return dossier
