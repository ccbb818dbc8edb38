"""`generate_dossiers`: N files with their clocks, opinions, sessions, footprints and a chain of audit events that
still verifies; the indicators computed over them have the shape the dashboard reads."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gis_core.models import Territory
from opendata.models import IndicatorSnapshot, Period
from permits.audit import audit_verify
from permits.commissions.models import Examination, Session, SessionStatus, SlotOccupancy
from permits.models import AuditEvent, Consultation, Dossier, DossierClock, ProjectUse
from permits.services import procedures_load
from tests.permits.factories import catalogue_uses, commune_tree


@pytest.fixture
def catalogue_and_commune(db: Any) -> Territory:
    procedures_load()
    catalogue_uses()
    return commune_tree("CASA-ANFA")


def test_it_writes_n_files_their_clocks_and_a_verified_chain(catalogue_and_commune: Territory) -> None:
    call_command("generate_dossiers", "--count", "40", "--seed", "7", "--days", "120", stdout=io.StringIO())
    assert Dossier.objects.count() == 40
    assert DossierClock.objects.count() == 40
    assert AuditEvent.objects.filter(action="dossier.submit").count() == 40
    decided = Dossier.objects.exclude(decision="")
    assert decided.exists() and decided.count() < 40
    uses = set(Dossier.objects.values_list("use", flat=True))
    assert uses and uses <= set(ProjectUse.objects.values_list("code", flat=True))
    report = audit_verify()
    assert report.ok and report.checked == AuditEvent.objects.count()


def test_footprints_lie_in_the_commune_and_files_are_published_as_the_view_wants(
    catalogue_and_commune: Territory,
) -> None:
    call_command("generate_dossiers", "--count", "60", "--seed", "2", "--days", "200", stdout=io.StringIO())
    commune = catalogue_and_commune
    assert Dossier.objects.filter(footprint__isnull=True).count() == 0
    assert Dossier.objects.filter(footprint__within=commune.geom).count() == 60
    published = Dossier.objects.filter(status="published")
    assert published.exists()
    assert not published.filter(decided_at__isnull=True).exists()
    assert not published.filter(published_at__isnull=True).exists()
    assert not published.filter(reference__isnull=True).exists()


def test_opinions_and_sessions_give_their_indicators(catalogue_and_commune: Territory) -> None:
    call_command("generate_dossiers", "--count", "300", "--seed", "5", "--days", "60", stdout=io.StringIO())
    assert Consultation.objects.filter(status="given").exists()
    assert Consultation.objects.filter(status="tacit").exists()
    held = Session.objects.filter(status=SessionStatus.HELD)
    assert held.exists()
    assert SlotOccupancy.objects.exists()
    assert Examination.objects.filter(session__in=held).exists()
    today = timezone.localdate()
    call_command(
        "opendata_refresh", "--from", str(today - timedelta(days=60)), "--to", str(today - timedelta(days=1)),
        "--period", "year", stdout=io.StringIO(),
    )  # fmt: skip
    year = IndicatorSnapshot.objects.filter(period=Period.YEAR, territory__isnull=True, procedure="")
    indicators = set(year.values_list("indicator", flat=True))
    assert {"opinions_on_time", "opinions_late", "opinions_tacit", "opinion_days"} <= indicators
    assert {"sessions_held", "slots_offered", "slots_booked", "files_examined_per_session"} <= indicators
    assert {"decided", "authorised", "decision_days", "authorised_footprint_m2"} <= indicators
    booked = year.filter(indicator="slots_booked").order_by("day").last()
    offered = year.filter(indicator="slots_offered").order_by("day").last()
    assert booked is not None and offered is not None and 0 < (booked.value or 0) <= (offered.value or 0)


def test_the_same_seed_draws_the_same_files(catalogue_and_commune: Territory) -> None:
    fields = ("status", "decision", "gross_floor_area_m2", "use", "activity", "submitted_at", "decided_at")

    def files() -> list[tuple[Any, ...]]:
        rows = Dossier.objects.order_by("id").values_list(*fields, "footprint")
        return [(*row[:-1], row[-1].wkt) for row in rows]

    def opinions() -> list[tuple[Any, ...]]:
        return list(Consultation.objects.order_by("id").values_list("agency__code", "deadline", "status", "given_at"))

    call_command("generate_dossiers", "--count", "30", "--seed", "3", "--days", "60", stdout=io.StringIO())
    first, first_opinions = files(), opinions()
    call_command("generate_dossiers", "--count", "30", "--seed", "3", "--days", "60", stdout=io.StringIO())
    assert files()[30:] == first
    assert opinions()[len(first_opinions) :] == first_opinions
    assert audit_verify().ok


def test_it_refuses_a_count_below_one_and_an_empty_catalogue(db: Any) -> None:
    with pytest.raises(CommandError):
        call_command("generate_dossiers", "--count", "0")
    with pytest.raises(CommandError, match="catalogue"):
        call_command("generate_dossiers", "--count", "5")
