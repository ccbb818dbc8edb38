"""Mandates: an architect files and edits for an applicant only with the applicant's consent (an accepted
invitation), which the applicant revokes at any time. Every refusal changes nothing and leaves an audit event."""

from typing import Any

import pytest

from gis_core.notifications.models import Delivery
from permits import access, services
from permits.errors import IllegalTransition, PermissionDenied
from permits.models import (
    ArchitectStatus,
    AuditEvent,
    Dossier,
    Mandate,
    MandateScope,
    MandateStatus,
    Procedure,
    Role,
    RoleMembership,
    UserProfile,
)
from permits.services import mandates
from tests.permits.factories import (
    ADDRESS,
    DossierFactory,
    ProcedureFactory,
    UserFactory,
    commune_tree,
    verify_email,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people() -> dict[str, Any]:
    architect = UserFactory.create(
        username="architect", email="archi@example.ma", first_name="Amal", last_name="Idrissi", email_verified=True
    )
    RoleMembership.objects.create(user=architect, role=Role.ARCHITECT)
    return {
        "architect": architect,
        "applicant": UserFactory.create(username="client", email="client@example.ma", email_verified=True),
        "other": UserFactory.create(username="someone-else", email="other@example.ma", email_verified=True),
    }


@pytest.fixture
def place() -> dict[str, Any]:
    return {"commune": commune_tree("CASA-ANFA"), "procedure": ProcedureFactory.create()}


def create_for(actor: Any, applicant: Any, place: dict[str, Any]) -> Dossier:
    return services.dossier_create(
        actor=actor, address=ADDRESS, applicant=applicant, procedure=place["procedure"], commune=place["commune"]
    )


def refusals(action: str) -> list[AuditEvent]:
    return [
        event for event in AuditEvent.objects.filter(action="permission.refused") if event.payload["action"] == action
    ]


def accepted(people: dict[str, Any], **options: Any) -> Any:
    mandate = mandates.mandate_invite(
        actor=people["architect"], address=ADDRESS, email=people["applicant"].email, **options
    )
    return mandates.mandate_accept(actor=people["applicant"], address=ADDRESS, mandate=mandate)


def test_an_architect_without_mandate_cannot_file_for_someone(people: dict[str, Any], place: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied, match="no active mandate"):
        create_for(people["architect"], people["applicant"], place)
    assert not Dossier.objects.exists()
    [refusal] = refusals("dossier.create")
    assert refusal.actor_id == people["architect"].pk and refusal.payload["applicant"] == people["applicant"].pk


def test_invite_accept_then_file_names_the_mandate(people: dict[str, Any], place: dict[str, Any]) -> None:
    invitation = mandates.mandate_invite(actor=people["architect"], address=ADDRESS, email="CLIENT@example.ma")
    assert invitation.status == MandateStatus.PENDING and invitation.applicant == people["applicant"]
    delivery = Delivery.objects.get(event_key="mandate.invited")
    assert delivery.recipient == "client@example.ma" and "Amal Idrissi" in delivery.subject
    with pytest.raises(PermissionDenied):  # pending is not consent
        create_for(people["architect"], people["applicant"], place)
    with pytest.raises(PermissionDenied):  # only the invited applicant answers
        mandates.mandate_accept(actor=people["other"], address=ADDRESS, mandate=invitation)
    mandate = mandates.mandate_accept(actor=people["applicant"], address=ADDRESS, mandate=invitation)
    assert mandate.status == MandateStatus.ACTIVE and mandate.active_since is not None
    dossier = create_for(people["architect"], people["applicant"], place)
    assert dossier.architect == people["architect"] and dossier.mandate == mandate
    actions = list(AuditEvent.objects.filter(action__startswith="mandate.").values_list("action", flat=True))
    assert actions == ["mandate.invited", "mandate.accepted"]


def test_a_declined_invitation_gives_nothing(people: dict[str, Any], place: dict[str, Any]) -> None:
    invitation = mandates.mandate_invite(actor=people["architect"], address=ADDRESS, email=people["applicant"].email)
    declined = mandates.mandate_decline(actor=people["applicant"], address=ADDRESS, mandate=invitation)
    assert declined.status == MandateStatus.DECLINED
    with pytest.raises(IllegalTransition):
        mandates.mandate_accept(actor=people["applicant"], address=ADDRESS, mandate=invitation)
    with pytest.raises(PermissionDenied):
        create_for(people["architect"], people["applicant"], place)


def test_a_revoked_mandate_ends_the_architects_hand_on_the_file(people: dict[str, Any], place: dict[str, Any]) -> None:
    mandate = accepted(people)
    dossier = create_for(people["architect"], people["applicant"], place)
    services.dossier_update(actor=people["architect"], address=ADDRESS, dossier=dossier, units=2)
    mandates.mandate_revoke(actor=people["applicant"], address=ADDRESS, mandate=mandate)
    with pytest.raises(PermissionDenied):
        services.dossier_update(actor=people["architect"], address=ADDRESS, dossier=dossier, units=9)
    dossier.refresh_from_db()
    assert dossier.units == 2 and not access.is_owner(people["architect"], dossier)
    assert refusals("dossier.update")[0].dossier_id == dossier.pk
    with pytest.raises(PermissionDenied):
        create_for(people["architect"], people["applicant"], place)
    assert access.is_owner(people["applicant"], dossier)  # the applicant keeps the file
    with pytest.raises(IllegalTransition):  # revoked once, for good
        mandates.mandate_revoke(actor=people["applicant"], address=ADDRESS, mandate=mandate)


def test_a_mandate_for_another_applicant_does_not_count(people: dict[str, Any], place: dict[str, Any]) -> None:
    accepted(people)
    with pytest.raises(PermissionDenied):
        create_for(people["architect"], people["other"], place)
    assert not Dossier.objects.filter(applicant=people["other"]).exists()


def test_only_an_architect_files_for_someone(people: dict[str, Any], place: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied, match="only an architect"):
        create_for(people["other"], people["applicant"], place)


def test_a_mandate_for_one_file_covers_that_file_only(people: dict[str, Any], place: dict[str, Any]) -> None:
    own = DossierFactory.create(applicant=people["applicant"], procedure=place["procedure"], commune=place["commune"])
    other = DossierFactory.create(applicant=people["applicant"], procedure=place["procedure"], commune=place["commune"])
    invitation = mandates.mandate_invite(
        actor=people["applicant"],
        address=ADDRESS,
        email=people["architect"].email,
        scope=MandateScope.ONE_FILE,
        dossier=own,
    )
    assert invitation.architect == people["architect"] and not invitation.invited_by_architect
    mandates.mandate_accept(actor=people["architect"], address=ADDRESS, mandate=invitation)
    own.refresh_from_db()
    assert own.architect == people["architect"] and access.is_owner(people["architect"], own)
    services.dossier_update(actor=people["architect"], address=ADDRESS, dossier=own, units=1)
    with pytest.raises(PermissionDenied):  # not a mandate for every file
        create_for(people["architect"], people["applicant"], place)
    assert not access.is_owner(people["architect"], other)


def test_an_applicant_cannot_give_a_mandate_over_someone_elses_file(
    people: dict[str, Any], place: dict[str, Any]
) -> None:
    theirs = DossierFactory.create(applicant=people["other"], procedure=place["procedure"], commune=place["commune"])
    with pytest.raises(PermissionDenied):
        mandates.mandate_invite(
            actor=people["applicant"],
            address=ADDRESS,
            email=people["architect"].email,
            scope=MandateScope.ONE_FILE,
            dossier=theirs,
        )
    assert refusals("mandate.invite")


def test_an_invitation_to_an_email_without_account_waits_for_sign_up(people: dict[str, Any]) -> None:
    invitation = mandates.mandate_invite(actor=people["architect"], address=ADDRESS, email="newcomer@example.ma")
    assert invitation.applicant is None
    assert mandates.mandates_invitations_for(user=people["other"]) == []
    newcomer = UserFactory.create(username="newcomer", email="Newcomer@example.ma")  # signs up later
    assert mandates.mandates_invitations_for(user=newcomer) == []  # until the address is verified
    with pytest.raises(PermissionDenied):
        mandates.mandate_accept(actor=newcomer, address=ADDRESS, mandate=invitation)
    verify_email(newcomer)
    assert mandates.mandates_invitations_for(user=newcomer) == [invitation]
    mandate = mandates.mandate_accept(actor=newcomer, address=ADDRESS, mandate=invitation)
    assert mandate.applicant == newcomer and mandate.status == MandateStatus.ACTIVE


def test_the_architect_may_withdraw_but_a_stranger_may_not_revoke(people: dict[str, Any]) -> None:
    mandate = accepted(people)
    with pytest.raises(PermissionDenied):
        mandates.mandate_revoke(actor=people["other"], address=ADDRESS, mandate=mandate)
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE
    ended = mandates.mandate_revoke(actor=people["architect"], address=ADDRESS, mandate=mandate)
    assert ended.status == MandateStatus.REVOKED and ended.revoked_by == people["architect"]


def test_catalogue_procedures_no_longer_ask_for_a_scanned_form(catalogue: None) -> None:
    codes = set(Procedure.objects.values_list("required_documents__code", flat=True))
    assert "application-form" not in codes and "declaration-form" not in codes


def test_an_architect_the_desk_has_not_checked_acts_for_nobody(people: dict[str, Any]) -> None:
    """A self-registered architect waits for the desk's check of their order number before any mandate."""
    UserProfile.objects.update_or_create(
        user=people["architect"], defaults={"architect_status": ArchitectStatus.PENDING}
    )
    with pytest.raises(PermissionDenied):
        mandates.mandate_invite(actor=people["architect"], address=ADDRESS, email=people["applicant"].email)
    invitation = mandates.mandate_invite(actor=people["applicant"], address=ADDRESS, email=people["architect"].email)
    with pytest.raises(PermissionDenied):  # invited by the applicant: still not before the desk's check
        mandates.mandate_accept(actor=people["architect"], address=ADDRESS, mandate=invitation)
    assert Mandate.objects.get(pk=invitation.pk).status == MandateStatus.PENDING
    assert len(refusals("mandate.invite")) == 1 and len(refusals("mandate.accept")) == 1

    UserProfile.objects.filter(user=people["architect"]).update(architect_status=ArchitectStatus.VERIFIED)
    mandate = mandates.mandate_accept(actor=people["architect"], address=ADDRESS, mandate=invitation)
    assert mandate.status == MandateStatus.ACTIVE


def test_an_unverified_address_is_not_an_invitation_to_its_account(people: dict[str, Any]) -> None:
    """Someone who signed up with another person's e-mail, never verified, is not that person: the invitation
    does not name them, is not shown to them and cannot be accepted by them."""
    squatter = UserFactory.create(username="squatter", email="real.client@example.ma")
    invitation = mandates.mandate_invite(actor=people["architect"], address=ADDRESS, email="real.client@example.ma")
    assert invitation.applicant is None
    assert mandates.mandates_invitations_for(user=squatter) == []
    assert invitation not in mandates.mandates_of(user=squatter)
    with pytest.raises(PermissionDenied):
        mandates.mandate_accept(actor=squatter, address=ADDRESS, mandate=invitation)
    invitation.refresh_from_db()
    assert invitation.status == MandateStatus.PENDING
