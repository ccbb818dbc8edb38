"""What the scripted journeys share: the demo users and their roles, the heritage site of the Cambridge demo, the
demo PDFs, the commission of the demo commune, and the commission's steps every file goes through to its decision:
a slot booked, the agenda sent, the session held with the quorum, the examination, the president's decision from it,
and the PAdES signatures in sequence with the development PKI (`SIGNING_PKI_DIR`), each verified.

`demo_permit_flow` and `demo_commission_flow` both end this way: there is no other path to a published decision.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import time
from pathlib import Path
from typing import Any

import shapely
import shapely.affinity
from allauth.account.models import EmailAddress
from celery import current_app as celery_app
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from gis_core.models import Territory
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.services import document_verify
from parcels.models import Agency, Overlay, OverlayKind, Parcel
from permits.commissions import selectors, services
from permits.commissions.models import Commission, Examination, Session, SignatureRequest, SignatureStatus
from permits.commissions.pdf import render_pdf
from permits.errors import InvalidDossier
from permits.models import Dossier, Procedure, Role, RoleMembership

ADDRESS = "127.0.0.1"
COMMISSION_NAMES_AR = {"building-permit": "لجنة رخص البناء"}
ReportFunction = Callable[[str], None]


class DemoDataMissing(InvalidDossier):
    """The Cambridge demo is not loaded."""


def demo_user(username: str, role: str | None = None, territory: Territory | None = None, agency: Any = None) -> User:
    """The demo user of this name (created on first use), holding `role` when one is given."""
    user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@demo.example"})
    # verified, as after the sign-up e-mail's link (mandate invitations reach verified addresses only)
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
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


def plan_pdf(name: str, title: str) -> SimpleUploadedFile:
    """A one-page plan with some drawing (a real content stream: the stamp is added on top of it)."""
    data = render_pdf(template_names=["demo/plan.html"], context={"title": title})
    return SimpleUploadedFile(name, data, content_type="application/pdf")


@contextmanager
def tasks_in_process() -> Iterator[None]:
    """Celery tasks enqueued meanwhile (signatures, notifications) run here, at once."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = saved


# --- the commission's steps ----------------------------------------------------------------------------------


def commission_for(procedure: Procedure, commune: Territory, report: ReportFunction, *, weeks: int = 4) -> Commission:
    """The demo commune's commission of the procedure (members of each permanent agency, Tuesday/Thursday 9:00-12:00
    sessions), set up on first use, with its sessions `weeks` ahead."""
    commission = Commission.objects.filter(territory=commune, procedures=procedure).first()
    if commission is None:
        # Two procedures may name the same commission (occupancy permit, conformity): one demo commission each.
        shared = Commission.objects.filter(
            territory=commune, family=procedure.family, name_fr=procedure.commission_name_fr
        )
        commission = services.commission_create(
            name_fr=f"{procedure.commission_name_fr} ({procedure.name_fr})" if shared.exists() else "",
            name_ar=COMMISSION_NAMES_AR.get(procedure.code, f"لجنة {procedure.name_ar}"),
            territory=commune,
            family=procedure.family,
            procedures=[procedure],
            quorum_minimum_members=2,
            president=demo_user("demo-president", Role.COMMISSION_PRESIDENT, commune),
            signing_authority=demo_user("demo-signing-authority", Role.SIGNING_AUTHORITY, commune),
            secretary=demo_user("demo-desk", Role.DESK_AGENT, commune),
        )
        for seat in procedure.permanent_members.select_related("agency"):
            services.commission_member_add(commission=commission, user=agency_member(seat.agency), agency=seat.agency)
        services.schedule_create(commission=commission, weekdays=[1, 3], start_time=time(9), end_time=time(12))
        services.procedure_duration_set(commission=commission, procedure=procedure, minutes=30)
    created = services.sessions_generate(weeks=weeks, commission=commission)
    report(
        f"   commission '{commission.name_fr}': {commission.members.count()} permanent members;"
        f" {len(created.created)} session(s) generated (holidays skipped: {created.skipped_holidays or 'none'})"
    )
    return commission


def slot_book(dossier: Dossier, commission: Commission) -> Session:
    """The applicant books the first free slot of the commission; the file's session."""
    free = selectors.slots_free_for(dossier=dossier)
    if not free:
        raise DemoDataMissing("no free slot in the coming weeks: generate more sessions")
    slot = commission.sessions.get(pk=free[0].session_id).slots.get(pk=free[0].slot_id)
    services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
    return slot.session


def session_hold(
    dossier: Dossier, session: Session, *, joint_opinion: str, joint_motivation: str, report: ReportFunction
) -> Examination:
    """The agenda sent, every member present (the quorum), the commission's joint opinion on the file."""
    commission = session.commission
    agenda = services.session_agenda_send(session=session)
    agenda_document = selectors.output_latest_version(output=agenda.output)
    report(f"   agenda sent to {commission.members.count()} members ({agenda_document})")
    members = list(commission.members.filter(active=True))
    services.session_attendance_record(
        actor=commission.president, address=ADDRESS, session=session, present_member_ids=[m.pk for m in members]
    )
    examination = services.examination_record(
        actor=commission.president,
        address=ADDRESS,
        session=session,
        dossier=dossier,
        joint_opinion=joint_opinion,
        joint_motivation=joint_motivation,
    )
    quorum = commission.quorum_minimum_members
    report(f"   session held: {len(members)} members present (quorum {quorum}), joint opinion {joint_opinion}")
    return examination


def signatures_in_sequence(dossier: Dossier, report: ReportFunction) -> None:
    """Each signer signs in turn (a development certificate each), the PAdES signature applied by the Celery task
    in-process; the last one signs and publishes the file. Each output's signed version is then verified."""
    pki = DevelopmentPki(Path(settings.SIGNING_PKI_DIR))
    pki.ensure()
    requests = SignatureRequest.objects.filter(output__dossier=dossier).select_related("signer", "output")
    for request in requests.order_by("output_id", "position"):
        pki.user(request.signer.get_username(), display_name=request.signer.get_full_name())
        if request.status == SignatureStatus.PENDING:
            with tasks_in_process(), transaction.atomic():  # the signature task runs when this commits
                services.signature_request_sign(actor=request.signer, address=ADDRESS, request=request)
            services.signature_request_run(request_id=request.pk)  # idempotent: a no-op once the task ran
    for output in dossier.commission_outputs.order_by("created_at", "id"):
        latest = selectors.output_latest_version(output=output)
        verdict = document_verify(document=latest)
        report(f"   {output.kind}: version {latest.version}, {len(verdict.signatures)} signature(s), {verdict.status}")


def demo_mandate(*, architect: User, applicant: User) -> Any:
    """The applicant's mandate for all their files to the architect: invited by the architect, accepted by the
    applicant (the one already active is kept)."""
    from permits import access
    from permits.services import mandates

    existing = access.mandate_covering(architect=architect, applicant_id=applicant.pk)
    if existing is not None:
        return existing
    invitation = mandates.mandate_invite(actor=architect, address=ADDRESS, email=applicant.email)
    return mandates.mandate_accept(actor=applicant, address=ADDRESS, mandate=invitation)


def demo_application_sign(dossier: Dossier, report: ReportFunction) -> None:
    """The applicant signs the application form: consent, a code by e-mail (read here from the outbox, as the
    development mail catcher shows it), the code typed; the platform seals the form with the development PKI."""
    import re

    from gis_core.notifications.models import Delivery
    from permits.services import application

    pki = DevelopmentPki(Path(settings.SIGNING_PKI_DIR))
    pki.ensure()
    pki.user(settings.APPLICATION_SEAL_SIGNER, display_name="Urbaplan - sceau des demandes")
    with transaction.atomic():  # read before the worker sends it: a sent code's text is removed (Delivery.secret)
        sent = application.application_code_request(
            actor=dossier.applicant, address=ADDRESS, dossier=dossier, channel="email", consent=True
        )
        delivery = Delivery.objects.filter(event_key="application.code", recipient=dossier.applicant.email).latest("pk")
        code = re.search(r"\b(\d{6})\b", delivery.body)
    assert code is not None, "the code message has no code"
    signature = application.application_sign(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, code=code.group(1)
    )
    report(
        f"   application form signed by {dossier.applicant} (code sent to {sent.destination_masked}), sealed: "
        f"{signature.document.stored_document.sha256[:12]}…"
    )
