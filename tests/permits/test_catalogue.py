"""The shipped catalogue: idempotent loading, agencies reused, linked procedures, class-based dispatch."""

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from parcels.models import Agency
from permits import services
from permits.dispatch import dispatch_targets
from permits.errors import InvalidDossier
from permits.models import (
    DecisionPath,
    Dossier,
    OccasionalMemberRule,
    PermanentMember,
    Procedure,
    RequiredDocument,
    Role,
)
from permits.selectors import procedures_active
from tests.factories import AgencyFactory
from tests.permits.factories import ADDRESS, DossierFactory, ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

CODES = {
    "building-permit",
    "occupancy-permit",
    "certificate-of-conformity",
    "simple-declaration",
    "classified-establishment",
    "telecom-installation",
    "advertising-display",
}


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Agency, Procedure, RequiredDocument, PermanentMember, OccasionalMemberRule)
    )


def test_load_is_idempotent_and_reuses_agencies() -> None:
    existing = AgencyFactory.create(code="ONDA", name_fr="Office National Des Aéroports")
    out = StringIO()
    call_command("load_procedures", stdout=out)
    first = counts()
    call_command("load_procedures", stdout=out)
    assert counts() == first
    assert set(Procedure.objects.values_list("code", flat=True)) == CODES
    assert Agency.objects.get(code="ONDA").pk == existing.pk
    occupancy = Procedure.objects.get(code="occupancy-permit")
    assert occupancy.parent is not None and occupancy.parent.code == "building-permit"
    assert occupancy.requires_parent_dossier
    assert Procedure.objects.get(code="classified-establishment").establishment_classes == [1, 2, 3]
    paths = dict(Procedure.objects.values_list("code", "decided_by"))
    assert {code for code, path in paths.items() if path == DecisionPath.SERVICE} == {"simple-declaration"}
    assert Procedure.objects.get(code="simple-declaration").decision_role == Role.DESK_AGENT
    assert "7 procedures" in out.getvalue()


def test_only_a_procedure_decided_by_a_service_names_the_role_that_decides(catalogue: None) -> None:
    building = Procedure.objects.get(code="building-permit")
    building.decision_role = Role.DESK_AGENT  # a commission's procedure decided by someone else: refused
    with pytest.raises(IntegrityError), transaction.atomic():
        building.save()
    declaration = Procedure.objects.get(code="simple-declaration")
    declaration.decision_role = ""  # a service's procedure that names no one
    with pytest.raises(IntegrityError), transaction.atomic():
        declaration.save()
    declaration.decision_role = Role.COMMISSION_MEMBER  # nor a role that is not a service's
    with pytest.raises(IntegrityError), transaction.atomic():
        declaration.save()


def test_establishment_class_calls_environment(catalogue: None, commune: Any) -> None:
    procedure = Procedure.objects.get(code="classified-establishment")
    class_one = DossierFactory.create(procedure=procedure, commune=commune, establishment_class=1, use="industrial")
    class_three = DossierFactory.create(procedure=procedure, commune=commune, establishment_class=3, use="industrial")
    assert "ENVIRONNEMENT" in {target.agency.code for target in dispatch_targets(dossier=class_one)}
    assert "ENVIRONNEMENT" not in {target.agency.code for target in dispatch_targets(dossier=class_three)}
    with pytest.raises(InvalidDossier):
        services.dossier_create(
            actor=class_one.applicant, address=ADDRESS, procedure=procedure, commune=commune, establishment_class=4
        )


def test_linked_procedure_needs_an_authorised_parent(catalogue: None, commune: Any) -> None:
    building = Procedure.objects.get(code="building-permit")
    occupancy = Procedure.objects.get(code="occupancy-permit")
    applicant = UserFactory.create()
    pending = DossierFactory.create(procedure=building, commune=commune, applicant=applicant, submitted=True)
    with pytest.raises(InvalidDossier):
        services.dossier_create(actor=applicant, address=ADDRESS, procedure=occupancy, commune=commune)
    with pytest.raises(InvalidDossier):
        services.dossier_create(
            actor=applicant, address=ADDRESS, procedure=occupancy, commune=commune, parent_dossier=pending
        )
    granted = DossierFactory.create(procedure=building, commune=commune, applicant=applicant, signed=True)
    linked = services.dossier_create(
        actor=applicant, address=ADDRESS, procedure=occupancy, commune=commune, parent_dossier=granted
    )
    assert linked.parent_dossier == granted


def test_a_procedure_the_catalogue_no_longer_lists_is_deactivated_not_deleted(commune: Any) -> None:
    """An old database keeps a procedure the YAML has dropped: the loader deactivates it (no new file can use it)
    and keeps it and its files; the procedures it lists stay active."""
    dropped = ProcedureFactory.create(code="civil-protection-visit", name_fr="Visite de la protection civile")
    old_file = DossierFactory.create(procedure=dropped, commune=commune)
    out = StringIO()

    call_command("load_procedures", stdout=out)

    dropped.refresh_from_db()
    assert not dropped.active
    assert Dossier.objects.get(pk=old_file.pk).procedure_id == dropped.pk
    assert set(procedures_active().values_list("code", flat=True)) == CODES
    assert "1 no longer listed and deactivated" in out.getvalue()
    with pytest.raises(InvalidDossier):
        services.dossier_create(actor=old_file.applicant, address=ADDRESS, procedure=dropped, commune=commune)
