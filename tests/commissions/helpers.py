"""Helpers of the commission tests: a file booked and in commission, PDF text, the session held."""

import re
import subprocess
from typing import Any

from gis_core.documents.models import StoredDocument
from gis_core.documents.services import documents_storage
from permits import services as permit_services
from permits.commissions import selectors, services
from permits.commissions.models import Examination, OutputDocument, Session
from permits.models import Dossier, DossierStatus
from tests.commissions.conftest import World
from tests.permits.factories import ADDRESS, DossierFactory, advance, send_to_commission, upload_file
from tests.signing.pdf_factory import sample_pdf

BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def booked_file(world: World, session: Session, number: int, *, in_commission: bool = True, **kwargs: Any) -> Dossier:
    dossier: Dossier = DossierFactory.create(procedure=world.procedure, **kwargs)
    permit_services.document_upload(
        actor=dossier.applicant,
        address=ADDRESS,
        dossier=dossier,
        document_type="architectural-plans",
        uploaded_file=upload_file("plans.pdf", sample_pdf(2)),
    )
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    services.booking_create(
        actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=session.slots.get(number=number)
    )
    if in_commission:
        send_to_commission(dossier, world.staff["desk_agent"])
        dossier.refresh_from_db()
    return dossier


def pdf_text(document: StoredDocument) -> str:
    """The text of a stored PDF as poppler's pdftotext reads it, bidi marks removed, whitespace collapsed (table
    cells wrap their lines)."""
    with documents_storage().open(document.storage_key, "rb") as handle:
        data = handle.read()
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(BIDI_CONTROLS.sub("", result.stdout.decode("utf-8")).split())


def latest(output: OutputDocument) -> StoredDocument:
    return selectors.output_latest_version(output=output)


def hold_session(world: World, session: Session, dossier: Dossier, **opinions: Any) -> Examination:
    """Both members present; the occasional member states an opinion in session; joint opinion favourable."""
    president = world.staff["commission_president"]
    services.session_attendance_record(
        actor=president,
        address=ADDRESS,
        session=session,
        present_member_ids=[world.permanent.pk, world.occasional.pk],
    )
    return services.examination_record(
        actor=president,
        address=ADDRESS,
        session=session,
        dossier=dossier,
        joint_opinion=opinions.get("joint", "favourable"),
        joint_motivation=opinions.get("motivation", "Projet conforme au plan d'aménagement."),
        member_opinions={world.occasional.pk: ("favourable_with_reservations", "Prévoir un recul de 3 m côté voie.")},
    )
