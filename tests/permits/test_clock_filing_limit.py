"""The last day of the limit counted from filing (`DossierClock.filing_limit`, read by the open-data indicators):
written by the clock while it can change (the pause's business days push it), kept once the file is decided, signed
and published, replayed by `clock_rebuild`, and filled for the clocks written before it existed by the migration."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.db import connection

from permits import services
from permits.clock import clock_rebuild
from permits.models import Dossier, DossierClock, DossierStatus, Procedure, Remark
from tests.legal_path import LegalPath, legal_path, pki  # noqa: F401 - the development PKI and signing, as fixtures
from tests.permits.factories import ADDRESS, DossierFactory, ProcedureFactory, decided_state_write, staff_for, submit
from tests.permits.test_clock import accept, at, clock_catalogue, reply, send_remarks

pytestmark = pytest.mark.django_db

BACKFILL = importlib.import_module("permits.migrations.0017_dossierclock_filing_limit")


@pytest.fixture
def procedure() -> Procedure:
    """Decision two months from filing, resumed after the applicant's reply (`clock_catalogue`)."""
    return clock_catalogue(ProcedureFactory.create(code="building-permit"))


def limit_of(dossier_id: int) -> date | None:
    return DossierClock.objects.get(dossier_id=dossier_id).filing_limit


def paused_and_resumed(procedure: Procedure) -> int:
    """A file filed on Monday 1 February 2027 (limit: Thursday 1 April), waiting for the applicant from 3 to 10
    February (five business days): its limit becomes Thursday 8 April."""
    dossier = DossierFactory.create(procedure=procedure)
    with at(date(2027, 2, 1)):
        submit(dossier)
        accept(dossier)
    assert limit_of(dossier.pk) == date(2027, 4, 1)
    with at(date(2027, 2, 3)):
        send_remarks(dossier)
    assert limit_of(dossier.pk) == date(2027, 4, 1)  # paused: the days are counted when the file comes back
    with at(date(2027, 2, 10)):
        reply(dossier)
    assert limit_of(dossier.pk) == date(2027, 4, 8)
    return dossier.pk


def test_the_limit_moves_with_the_pause_and_is_kept_after_the_decision(
    procedure: Procedure,
    legal_path: LegalPath,  # noqa: F811 - the fixture imported above
) -> None:
    dossier_id = paused_and_resumed(procedure)
    dossier = Dossier.objects.get(pk=dossier_id)
    with at(date(2027, 2, 15)):
        for remark in Remark.objects.filter(dossier=dossier):
            services.remark_close(actor=staff_for(dossier.commune)["desk_agent"], address=ADDRESS, remark=remark)
        legal_path.decide(dossier)
    clock = DossierClock.objects.get(dossier_id=dossier_id)
    assert dossier.status == DossierStatus.DECIDED and clock.decision_deadline is None  # no longer running
    assert clock.filing_limit == date(2027, 4, 8)  # kept: the indicators count the decision against it

    decided_state_write(dossier, DossierStatus.PUBLISHED)  # signed and published (audit events only)
    rebuilt = clock_rebuild(dossier=dossier)  # every transition replayed, the signature and publication included
    assert rebuilt is not None and rebuilt.step == "" and rebuilt.filing_limit == date(2027, 4, 8)


def test_the_migration_fills_the_clocks_written_before_the_limit(
    procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    paused = paused_and_resumed(procedure)
    plain = DossierFactory.create(procedure=procedure)
    with at(date(2027, 3, 1)):
        submit(plain)
    draft = DossierFactory.create(procedure=procedure)
    DossierClock.objects.create(dossier=draft)  # never filed: no limit
    DossierClock.objects.update(filing_limit=None)  # as the clocks were before the field existed
    monkeypatch.setattr(BACKFILL, "BATCH", 1)  # one clock per batch: the batches follow each other
    with connection.schema_editor() as editor:
        BACKFILL.filing_limits_backfill(apps, editor)
    assert limit_of(paused) == date(2027, 4, 8)
    assert limit_of(plain.pk) == date(2027, 5, 3)  # 1 May 2027 is a Saturday (and Labour Day): Monday 3 May
    assert limit_of(draft.pk) is None
