"""Helpers of the tests that follow a file to its publication through the domain services: certificates for
every signer, the file examined and decided in the first session, the signatures given in turn (Celery
in-process, run on commit)."""

from typing import Any

from gis_core.signing.pki import DevelopmentPki
from permits.commissions import services
from permits.commissions.models import Examination, SignatureRequest, SignatureStatus
from permits.models import Dossier
from tests.commissions.conftest import World
from tests.commissions.helpers import booked_file, hold_session
from tests.permits.factories import ADDRESS


def certify_signers(world: World, pki: DevelopmentPki) -> None:
    """A certificate for each signer of the world, named as the PDFs must show them (the session's PKI is shared:
    a certificate issued earlier to the same username under another name is issued again)."""
    names = {user: user.get_full_name() or user.username for user in (world.permanent.user, world.occasional.user)}
    names[world.staff["signing_authority"]] = world.staff["signing_authority"].username
    names[world.staff["commission_president"]] = "Président de la commission"
    for user, name in names.items():
        credentials = pki.user_paths(user.username)
        credentials.pkcs12_path.unlink(missing_ok=True)
        credentials.passphrase_path.unlink(missing_ok=True)
        pki.user(user.username, display_name=name)


def decided_file(
    world: World, capture: Any, *, decision: str = "favourable", motivation: str = "", slot: int = 0, **file: Any
) -> tuple[Dossier, Examination]:
    """A file booked in the first session, examined (both members present) and decided by the president."""
    session = world.sessions()[0]
    dossier = booked_file(world, session, slot, **file)
    examination = hold_session(world, session, dossier)
    with capture(execute=True):
        services.examination_decide(
            actor=world.staff["commission_president"],
            address=ADDRESS,
            examination=examination,
            decision=decision,
            motivation=motivation,
        )
    dossier.refresh_from_db()
    return dossier, examination


def pending_signatures(examination: Examination) -> list[SignatureRequest]:
    """The examination's signatures still awaited, each document's in its order."""
    requests = SignatureRequest.objects.filter(output__examination=examination, status=SignatureStatus.PENDING)
    return list(requests.select_related("signer").order_by("output_id", "position"))


def sign(request: SignatureRequest, capture: Any) -> None:
    """The signer signs in turn; the PAdES signature runs on commit (in-process)."""
    with capture(execute=True):
        services.signature_request_sign(actor=request.signer, address=ADDRESS, request=request)
