"""Concurrent filings in one commune and year: references without gaps or duplicates, one audit chain.

Each thread has its own database connection (TransactionTestCase-style `transactional_db`)."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from permits import services
from permits.audit import audit_verify
from permits.models import Dossier
from permits.services.filing import reference_allocate
from tests.permits.factories import ADDRESS, DossierFactory, application_signature_write, commune_tree

WRITERS = 8


def run_in_threads(functions: list[Callable[[], Any]]) -> list[BaseException]:
    barrier = threading.Barrier(len(functions))
    errors: list[BaseException] = []

    def worker(function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            function()
        except BaseException as error:  # collected and asserted on by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_get_consecutive_references() -> None:
    commune = commune_tree("CASA-ANFA")
    drafts = [DossierFactory.create(commune=commune) for _ in range(WRITERS)]

    def submit(dossier: Any) -> Callable[[], Any]:
        application_signature_write(dossier)  # the applicant's signature (test data)
        return lambda: services.dossier_submit(actor=dossier.applicant, address=ADDRESS, dossier=dossier)

    errors = run_in_threads([submit(dossier) for dossier in drafts])
    assert errors == []
    year = timezone.localdate().year
    references = sorted(reference or "" for reference in Dossier.objects.values_list("reference", flat=True))
    assert references == [f"CASA-ANFA/{year}/{number:06d}" for number in range(1, WRITERS + 1)]
    assert audit_verify().ok


@pytest.mark.django_db(transaction=True)
def test_rolled_back_filing_does_not_leave_a_gap() -> None:
    commune = commune_tree("CASA-ANFA")
    try:
        with transaction.atomic():
            assert reference_allocate(commune=commune, year=2031) == "CASA-ANFA/2031/000001"
            raise RuntimeError("filing failed")
    except RuntimeError:
        pass
    with transaction.atomic():
        assert reference_allocate(commune=commune, year=2031) == "CASA-ANFA/2031/000001"
        assert reference_allocate(commune=commune, year=2031) == "CASA-ANFA/2031/000002"
