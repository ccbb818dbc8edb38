"""A scripted journey of one building-permit file on the Cambridge demo data (`manage.py demo_permit_flow`).

It needs `manage.py load_demo` (territories, parcels, heritage and special-district overlays) and loads the
procedure catalogue itself. Each run files a new dossier, with demo users created on first use, and reports
each step: the reference, the frozen pre-check, the dispatch with its reasons and deadlines, opinions, a
remarks round, a tacit opinion at the deadline, the decision, signature, publication and the audit chain.
"""

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import shapely
import shapely.affinity
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from demo.cambridge import DEMO_COMMUNE
from gis_core.models import Territory
from parcels.models import Agency, Overlay, OverlayKind, Parcel
from permits import selectors, services
from permits.audit import audit_verify
from permits.errors import InvalidDossier
from permits.models import ConsultationStatus, Dossier, OpinionValue, Procedure, Role, RoleMembership

ADDRESS = "127.0.0.1"


class DemoDataMissing(InvalidDossier):
    """The Cambridge demo is not loaded."""


def _demo_pdf(name: str) -> SimpleUploadedFile:
    """A one-page blank PDF standing for a real plan or form."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


def demo_user(username: str, role: str | None = None, territory: Territory | None = None, agency: Any = None) -> User:
    """The demo user of this name (created on first use), holding `role` when one is given."""
    user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.example"})
    if role:
        RoleMembership.objects.get_or_create(user=user, role=role, territory=territory, agency=agency)
    return user


def agency_member(agency: Agency) -> User:
    """The demo commission member who gives the agency's opinions."""
    return demo_user(f"demo-member-{agency.code.lower()}", Role.COMMISSION_MEMBER, agency=agency)


def heritage_site(commune: Territory) -> tuple[Parcel, GEOSGeometry]:
    """A parcel inside a heritage district, and a footprint: the parcel shrunk to 60% around its centroid."""
    heritage = Overlay.objects.filter(commune=commune, kind=OverlayKind.HERITAGE).order_by("reference").first()
    if heritage is None:
        raise DemoDataMissing("no heritage overlay in the demo commune: run `manage.py load_demo`")
    parcel = (
        Parcel.objects.filter(commune=commune, geom__within=heritage.effective_geom)
        .order_by("-area_m2", "reference")
        .first()
    )
    if parcel is None:
        raise DemoDataMissing("no parcel inside a heritage district: run `manage.py load_demo`")
    shape = shapely.from_wkb(bytes(parcel.geom.wkb))
    footprint = shapely.affinity.scale(shape, 0.6, 0.6, origin="centroid")
    return parcel, GEOSGeometry(memoryview(shapely.to_wkb(footprint)), srid=4326)


def demo_permit_flow(*, report: Callable[[str], None] = print) -> Dossier:
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
    president = demo_user("demo-president", Role.COMMISSION_PRESIDENT, commune)
    signer = demo_user("demo-signing-authority", Role.SIGNING_AUTHORITY, commune)

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
            uploaded_file=_demo_pdf(f"{required.code}.pdf"),
        )
    report(f"   uploaded the mandatory documents: {', '.join(uploads)}")
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
        uploaded_file=_demo_pdf("elevations-revised.pdf"),
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

    dossier = services.dossier_send_to_commission(actor=desk, address=ADDRESS, dossier=dossier)
    dossier = services.dossier_decide(
        actor=president,
        address=ADDRESS,
        dossier=dossier,
        decision="favourable_with_conditions",
        conditions="Slate roof and cornice line as agreed with the heritage service.",
    )
    report(f"10. commission decision: {dossier.decision}")
    dossier = services.dossier_sign(actor=signer, address=ADDRESS, dossier=dossier)
    dossier = services.dossier_publish(actor=desk, address=ADDRESS, dossier=dossier)
    report(f"11. signed and {dossier.status}")
    events = selectors.audit_events_for(dossier=dossier).count()
    chain = audit_verify()
    report(f"12. {events} audit events for {dossier.reference}; chain of {chain.checked} events intact: {chain.ok}")
    return dossier
