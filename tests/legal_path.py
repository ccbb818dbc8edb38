"""The legal path, for the tests that decide, sign and publish a file as production does: a commission of the
file's procedure over its commune (a member per permanent agency, every weekday's morning in sessions), a slot
booked by the applicant, the file sent to the commission, the session's attendance recorded with the quorum, the
joint opinion, the president's decision from that examination, then every signature of the decision's documents
given in turn, each a real PAdES signature with the development PKI, the Celery task run when the request commits.

    def test_something(legal_path: LegalPath) -> None:
        dossier = DossierFactory.create(under_instruction=True)
        legal_path.publish(dossier)                         # booked, examined, decided, signed, published

One development PKI serves the whole test session (`pki`, session-scoped: its root, intermediate, TSA and NSS
database are made once, in the session's base temporary directory); the `legal_path` fixture points the signing
settings at it, stores documents under the test's tmp_path and runs Celery tasks in-process. A conftest that wants
them imports `pki` and `legal_path`.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from gis_core.documents.services import documents_storage
from gis_core.signing import pki as pki_module
from gis_core.signing.pki import DevelopmentPki
from permits.commissions import selectors, services
from permits.commissions.models import Commission, Examination, OutputKind, SignatureRequest, SignatureStatus
from permits.models import Dossier, DossierStatus, PermanentMember, Procedure
from tests.conftest import documents_stored_in, tasks_eager
from tests.permits.factories import ADDRESS, member_for, send_to_commission, staff_for
from tests.signing.conftest import pdfsig

PKI_EPOCH = datetime(2026, 12, 1, tzinfo=UTC)  # before every date a test pins its clock to


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevelopmentPki]:
    """The development PKI of the test session (root, intermediate, local TSA, NSS database for pdfsig): made once,
    then found again by every conftest that imports this fixture.

    Every certificate of it (the users' too, made when first needed) is issued as of `PKI_EPOCH`, so that it is
    valid both today (pdfsig checks at the real time) and in the tests that pin the clock to a date after the
    epoch (the commissions' January 2027, the file clock's 2027), whatever today's date is until the epoch's
    certificates expire (`pki.LEAF_YEARS` after it: move the epoch and the pinned dates forward then)."""
    directory = tmp_path_factory.getbasetemp() / "legal-path-pki"
    directory.mkdir(exist_ok=True)
    patch = pytest.MonkeyPatch()
    patch.setattr(pki_module, "_now", lambda: PKI_EPOCH)
    pki = DevelopmentPki(directory)
    pki.ensure()
    yield pki
    patch.undo()


def signing_settings_apply(settings: Any, pki: DevelopmentPki, directory: Path) -> Path:
    """Documents under `directory`, signatures with `pki` and the local TSA; returns the documents' directory."""
    store = documents_stored_in(settings, directory)
    settings.SIGNING_PKI_DIR = pki.directory
    settings.SIGNING_TRUST_ROOTS = [pki.directory / "root-ca.pem"]
    settings.SIGNING_INTERMEDIATES = [pki.directory / "intermediate-ca.pem"]
    settings.SIGNING_TSA_URL = ""
    settings.SIGNING_TSA_LOCAL = True
    settings.SIGNING_SIGNER_BACKEND = "gis_core.signing.signers.Pkcs12Backend"
    settings.SIGNING_PUBLIC_BASE_URL = "http://testserver"
    settings.SIGNING_EMBED_VALIDATION_INFO = True
    return store


def commission_ready(procedure: Procedure, commune: Any) -> Commission:
    """The commission of `procedure` over `commune`, set up on first use: a member per permanent agency, quorum with
    every permanent agency present, the commune's president, signing authority and desk agent as secretary, sessions
    every weekday morning for two weeks, bookable up to the session's start."""
    existing = Commission.objects.filter(territory=commune, procedures=procedure).first()
    if existing is not None:
        return existing
    staff = staff_for(commune)
    commission = services.commission_create(
        name_fr=f"Commission {procedure.code} {commune.code}",
        territory=commune,
        family=procedure.family,
        procedures=[procedure],
        president=staff["commission_president"],
        signing_authority=staff["signing_authority"],
        secretary=staff["desk_agent"],
        booking_cutoff_hours=0,
    )
    for seat in PermanentMember.objects.filter(procedure=procedure).select_related("agency"):
        services.commission_member_add(commission=commission, user=member_for(seat.agency), agency=seat.agency)
    services.schedule_create(
        commission=commission, weekdays=[0, 1, 2, 3, 4], start_time=time(9), end_time=time(12), slot_minutes=30
    )
    services.sessions_generate(weeks=2, today=timezone.localdate(), commission=commission)
    return commission


@dataclass
class LegalPath:
    pki: DevelopmentPki

    def commission_for(self, dossier: Dossier) -> Commission:
        """The commission of the file's procedure over its commune, set up on first use (`commission_ready`)."""
        return commission_ready(dossier.procedure, dossier.commune)

    def examine(self, dossier: Dossier, *, joint_opinion: str = "favourable") -> Examination:
        """Book the file's first free slot (as its applicant), send it to the commission, record every member
        present and the commission's joint opinion."""
        commission = self.commission_for(dossier)
        dossier.refresh_from_db()
        booking = selectors.booking_active_for(dossier=dossier)
        if booking is None:
            free = selectors.slots_free_for(dossier=dossier)[0]
            slot = commission.sessions.get(pk=free.session_id).slots.get(pk=free.slot_id)
            booking = services.booking_create(actor=dossier.applicant, address=ADDRESS, dossier=dossier, slot=slot)
        if dossier.status != DossierStatus.IN_COMMISSION:
            send_to_commission(dossier, staff_for(dossier.commune)["desk_agent"])
        president = commission.president
        services.session_attendance_record(
            actor=president,
            address=ADDRESS,
            session=booking.session,
            present_member_ids=list(commission.members.filter(active=True).values_list("pk", flat=True)),
        )
        motivation = "" if joint_opinion == "favourable" else "Avis motivé de la commission."
        return services.examination_record(
            actor=president,
            address=ADDRESS,
            session=booking.session,
            dossier=dossier,
            joint_opinion=joint_opinion,
            joint_motivation=motivation,
        )

    def decide(
        self, dossier: Dossier, *, decision: str = "favourable", motivation: str = "", conditions: str = ""
    ) -> Examination:
        """Examined in session, then decided by the commission's president from that examination."""
        examination = self.examine(dossier)
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.examination_decide(
                actor=examination.session.commission.president,
                address=ADDRESS,
                examination=examination,
                decision=decision,
                motivation=motivation,
                conditions=conditions,
            )
        dossier.refresh_from_db()
        return examination

    def certify_signers(self, dossier: Dossier) -> None:
        """A development certificate for every signer of the file's outputs."""
        for request in SignatureRequest.objects.filter(output__dossier=dossier).select_related("signer"):
            signer = request.signer
            self.pki.user(signer.get_username(), display_name=signer.get_full_name() or signer.get_username())

    def sign(self, request: SignatureRequest) -> None:
        """The signer signs in turn; the PAdES signature runs when the request commits (Celery, in-process)."""
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.signature_request_sign(actor=request.signer, address=ADDRESS, request=request)

    def sign_all(self, dossier: Dossier) -> Dossier:
        """Every signature of the file's outputs, each document's in order: the last one signs and publishes it."""
        self.certify_signers(dossier)
        requests = SignatureRequest.objects.filter(output__dossier=dossier, status=SignatureStatus.PENDING)
        for request in requests.select_related("signer").order_by("output_id", "position"):
            self.sign(request)
        dossier.refresh_from_db()
        return dossier

    def publish(
        self, dossier: Dossier, *, decision: str = "favourable", motivation: str = "", conditions: str = ""
    ) -> Dossier:
        """The whole path: examined, decided, signed and published."""
        self.decide(dossier, decision=decision, motivation=motivation, conditions=conditions)
        return self.sign_all(dossier)


def pdfsig_checked(dossier: Dossier, pki: DevelopmentPki, directory: Path) -> dict[str, str]:
    """poppler's pdfsig on the signed version of each of the file's outputs (trusting the PKI's root through its
    NSS database): each must carry as many valid, trusted signatures as it has signature requests. Returns the
    reports by file name."""
    reports: dict[str, str] = {}
    outputs = dossier.commission_outputs.exclude(kind=OutputKind.AGENDA).prefetch_related("signature_requests")
    assert outputs.exists(), "the file has no signed output"
    for output in outputs:
        latest = selectors.output_latest_version(output=output)
        path = directory / f"{output.kind}-{output.pk}.pdf"
        with documents_storage().open(latest.storage_key, "rb") as handle:
            path.write_bytes(handle.read())
        report = pdfsig(path, pki)
        expected = output.signature_requests.count()
        assert report.count("Signature is Valid") == expected, report
        assert report.count("Certificate is Trusted") == expected, report
        reports[latest.original_filename] = report
    return reports


@pytest.fixture
def legal_path(settings: Any, pki: DevelopmentPki, tmp_path: Path) -> Iterator[LegalPath]:
    directory = tmp_path / "legal-path"
    directory.mkdir()
    signing_settings_apply(settings, pki, directory)
    with tasks_eager(propagate=True):
        yield LegalPath(pki)
