"""`generate_dossiers`: N files with their clocks and a chain of audit events that still verifies."""

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from permits.audit import audit_verify
from permits.models import AuditEvent, Dossier, DossierClock, ProjectUse
from permits.services import procedures_load
from tests.permits.factories import catalogue_uses, commune_tree


@pytest.fixture
def catalogue_and_commune(db: Any) -> None:
    procedures_load()
    catalogue_uses()
    commune_tree("CASA-ANFA")


def test_it_writes_n_files_their_clocks_and_a_verified_chain(catalogue_and_commune: None) -> None:
    call_command("generate_dossiers", "--count", "40", "--seed", "7", "--days", "120")
    assert Dossier.objects.count() == 40
    assert DossierClock.objects.count() == 40
    assert AuditEvent.objects.filter(action="dossier.submit").count() == 40
    decided = Dossier.objects.exclude(decision="")
    assert decided.exists() and decided.count() < 40
    uses = set(Dossier.objects.values_list("use", flat=True))
    assert uses and uses <= set(ProjectUse.objects.values_list("code", flat=True))
    report = audit_verify()
    assert report.ok and report.checked == AuditEvent.objects.count()


def test_the_same_seed_draws_the_same_files(catalogue_and_commune: None) -> None:
    call_command("generate_dossiers", "--count", "10", "--seed", "3", "--days", "60")
    first = list(Dossier.objects.order_by("id").values_list("status", "decision", "gross_floor_area_m2"))
    call_command("generate_dossiers", "--count", "10", "--seed", "3", "--days", "60")
    second = list(Dossier.objects.order_by("id").values_list("status", "decision", "gross_floor_area_m2"))[10:]
    assert second == first


def test_it_refuses_a_count_below_one_and_an_empty_catalogue(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("generate_dossiers", "--count", "0")
    with pytest.raises(CommandError, match="catalogue"):
        call_command("generate_dossiers", "--count", "5")
