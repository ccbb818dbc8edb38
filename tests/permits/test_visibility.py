"""Who sees which file, for every role against every kind of file: the applicant's draft, a filed file of
their commune, and a filed file of another commune. A file one may not see is a 404 (DossierNotFound), the
same answer as for an id that does not exist."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from permits.errors import DossierNotFound
from permits.models import MandateScope, PermanentMember, Role, RoleMembership
from permits.selectors import dossier_get_for, dossiers_visible_to
from permits.services.mandates import mandate_accept, mandate_invite
from tests.factories import AgencyFactory
from tests.permits.factories import ADDRESS, DossierFactory, ProcedureFactory, UserFactory, commune_tree

pytestmark = pytest.mark.django_db

FILED_A, DRAFT_A, FILED_B = "filed_a", "draft_a", "filed_b"

# role name -> files it must see (everything else must be a 404)
EXPECTED: dict[str, set[str]] = {
    "applicant": {FILED_A, DRAFT_A},
    "architect": {FILED_A},
    "other_applicant": {FILED_B},
    "desk_commune": {FILED_A},
    "desk_province": {FILED_A},
    "desk_region": {FILED_A},
    "desk_other_commune": {FILED_B},
    "desk_national": {FILED_A, FILED_B},
    "desk_inactive": set(),
    "member_consulted": {FILED_A},
    "member_consulted_elsewhere": set(),
    "member_not_consulted": set(),
    "member_of_b": {FILED_B},
    "president_commune": {FILED_A},
    "president_other_commune": {FILED_B},
    "signing_commune": {FILED_A},
    "signing_other_commune": {FILED_B},
    "administrator_region": {FILED_A},
    "superuser": {FILED_A, DRAFT_A, FILED_B},
    "anonymous": set(),
}


@pytest.fixture
def world() -> dict[str, Any]:
    commune_a, commune_b = commune_tree("CASA-ANFA"), commune_tree("RABAT-AGDAL")
    applicant, other_applicant = UserFactory.create(), UserFactory.create()
    architect = UserFactory.create(email_verified=True)
    RoleMembership.objects.create(user=architect, role=Role.ARCHITECT)
    procedure_b = ProcedureFactory.create(code="procedure-b")
    agency_b = AgencyFactory.create(code="B-AGENCY")
    PermanentMember.objects.filter(procedure=procedure_b).delete()
    PermanentMember.objects.create(procedure=procedure_b, agency=agency_b)
    files = {
        FILED_A: DossierFactory.create(
            commune=commune_a, applicant=applicant, architect=architect, under_instruction=True
        ),
        DRAFT_A: DossierFactory.create(commune=commune_a, applicant=applicant),
        FILED_B: DossierFactory.create(
            commune=commune_b, applicant=other_applicant, procedure=procedure_b, under_instruction=True
        ),
    }
    invitation = mandate_invite(  # the architect sees the file they hold while the applicant's mandate covers it
        actor=applicant, address=ADDRESS, email=architect.email, scope=MandateScope.ONE_FILE, dossier=files[FILED_A]
    )
    mandate_accept(actor=architect, address=ADDRESS, mandate=invitation)
    consulted = files[FILED_A].consultations.get().agency

    def holder(role: str, territory: Any = None, agency: Any = None, active: bool = True) -> Any:
        user = UserFactory.create()
        RoleMembership.objects.create(user=user, role=role, territory=territory, agency=agency, active=active)
        return user

    users = {
        "applicant": applicant,
        "architect": architect,
        "other_applicant": other_applicant,
        "desk_commune": holder(Role.DESK_AGENT, commune_a),
        "desk_province": holder(Role.DESK_AGENT, commune_a.parent),
        "desk_region": holder(Role.DESK_AGENT, commune_a.parent.parent),
        "desk_other_commune": holder(Role.DESK_AGENT, commune_b),
        "desk_national": holder(Role.DESK_AGENT),
        "desk_inactive": holder(Role.DESK_AGENT, commune_a, active=False),
        "member_consulted": holder(Role.COMMISSION_MEMBER, agency=consulted),
        "member_consulted_elsewhere": holder(Role.COMMISSION_MEMBER, commune_b, agency=consulted),
        "member_not_consulted": holder(Role.COMMISSION_MEMBER, agency=AgencyFactory.create(code="NEVER-ASKED")),
        "member_of_b": holder(Role.COMMISSION_MEMBER, agency=agency_b),
        "president_commune": holder(Role.COMMISSION_PRESIDENT, commune_a),
        "president_other_commune": holder(Role.COMMISSION_PRESIDENT, commune_b),
        "signing_commune": holder(Role.SIGNING_AUTHORITY, commune_a),
        "signing_other_commune": holder(Role.SIGNING_AUTHORITY, commune_b.parent),
        "administrator_region": holder(Role.ADMINISTRATOR, commune_a.parent.parent),
        "superuser": UserFactory.create(is_superuser=True),
        "anonymous": AnonymousUser(),
    }
    return {"files": files, "users": users}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_visibility(world: dict[str, Any], role: str) -> None:
    user = world["users"][role]
    files = world["files"]
    visible = set(dossiers_visible_to(user=user).values_list("pk", flat=True))
    assert visible == {files[name].pk for name in EXPECTED[role]}
    for name, dossier in files.items():
        if name in EXPECTED[role]:
            assert dossier_get_for(user=user, dossier_id=dossier.pk) == dossier
        else:
            with pytest.raises(DossierNotFound) as error:
                dossier_get_for(user=user, dossier_id=dossier.pk)
            assert error.value.status == 404
    with pytest.raises(DossierNotFound):
        dossier_get_for(user=user, dossier_id=10**9)


def test_every_role_is_covered() -> None:
    covered = {name.split("_")[0] for name in EXPECTED}
    assert {"applicant", "architect", "desk", "member", "president", "signing", "administrator"} <= covered
