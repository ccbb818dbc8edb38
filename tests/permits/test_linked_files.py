"""A linked file (occupancy permit, certificate of conformity) follows its authorised parent once per procedure at
a time: the domain refuses a second open one, and `dossier_start_linked` returns the one in progress."""

from typing import Any

import pytest

from permits import services
from permits.errors import InvalidDossier, PermissionDenied
from permits.models import Procedure
from permits.services.filing import dossier_start_linked
from tests.permits.factories import ADDRESS, DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_one_open_linked_file_per_procedure_and_parent(catalogue: None, commune: Any) -> None:
    building = Procedure.objects.get(code="building-permit")
    occupancy = Procedure.objects.get(code="occupancy-permit")
    conformity = Procedure.objects.get(code="certificate-of-conformity")
    parent = DossierFactory.create(procedure=building, commune=commune, signed=True)
    applicant = parent.applicant
    first, created = dossier_start_linked(actor=applicant, address=ADDRESS, parent_dossier=parent, procedure=occupancy)
    assert created and first.parent_dossier == parent and first.title == parent.title
    again, created = dossier_start_linked(actor=applicant, address=ADDRESS, parent_dossier=parent, procedure=occupancy)
    assert (again, created) == (first, False)
    with pytest.raises(InvalidDossier):
        services.dossier_create(
            actor=applicant, address=ADDRESS, procedure=occupancy, commune=commune, parent_dossier=parent
        )
    other, created = dossier_start_linked(actor=applicant, address=ADDRESS, parent_dossier=parent, procedure=conformity)
    assert created and other != first
    services.dossier_withdraw(actor=applicant, address=ADDRESS, dossier=first)
    after, created = dossier_start_linked(actor=applicant, address=ADDRESS, parent_dossier=parent, procedure=occupancy)
    assert created and after != first


def test_only_the_owner_starts_a_linked_file(catalogue: None, commune: Any) -> None:
    parent = DossierFactory.create(
        procedure=Procedure.objects.get(code="building-permit"), commune=commune, signed=True
    )
    occupancy = Procedure.objects.get(code="occupancy-permit")
    with pytest.raises(PermissionDenied):
        dossier_start_linked(actor=UserFactory.create(), address=ADDRESS, parent_dossier=parent, procedure=occupancy)
    with pytest.raises(InvalidDossier):
        dossier_start_linked(actor=parent.applicant, address=ADDRESS, parent_dossier=parent, procedure=parent.procedure)


def test_a_procedure_that_follows_nothing_takes_no_parent(catalogue: None, commune: Any) -> None:
    building = Procedure.objects.get(code="building-permit")
    parent = DossierFactory.create(procedure=building, commune=commune, signed=True)
    with pytest.raises(InvalidDossier):
        services.dossier_create(
            actor=parent.applicant, address=ADDRESS, procedure=building, commune=commune, parent_dossier=parent
        )
