"""Overlap detection at filing: other open or authorised files on the same ground, with the overlap area."""

from typing import Any

import pytest

from permits import selectors, services
from permits.models import DossierStatus
from tests.factories import box
from tests.permits.factories import ADDRESS, DossierFactory, application_signature_write, decided_state_write

pytestmark = pytest.mark.django_db

LEFT = box(-71.1200, 42.3700, -71.1198, 42.3702)
RIGHT_HALF_OVER = box(-71.1199, 42.3700, -71.1197, 42.3702)  # covers the east half of LEFT
ADJACENT = box(-71.1197, 42.3700, -71.1195, 42.3702)  # shares RIGHT_HALF_OVER's east edge only
FAR = box(-71.1100, 42.3600, -71.1098, 42.3602)


def file(commune: Any, footprint: Any, **traits: Any) -> Any:
    return DossierFactory.create(commune=commune, footprint=footprint, **traits)


def test_overlapping_files_are_frozen_at_filing(commune: Any) -> None:
    first = file(commune, LEFT, submitted=True)
    file(commune, LEFT)  # a draft: not filed, not counted
    file(commune, LEFT, withdrawn=True)
    file(commune, ADJACENT, submitted=True)  # touching is not overlapping
    file(commune, FAR, submitted=True)
    second = file(commune, RIGHT_HALF_OVER)
    application_signature_write(second)  # the applicant's signature (test data)
    second = services.dossier_submit(actor=second.applicant, address=ADDRESS, dossier=second)
    overlaps = second.overlaps_at_filing
    assert [overlap["dossier"] for overlap in overlaps] == [first.pk]
    half_of_left = selectors.dossier_overlaps(dossier=first)[0].overlap_m2
    assert overlaps[0]["reference"] == first.reference
    assert overlaps[0]["overlap_m2"] == pytest.approx(half_of_left, rel=0.01)
    assert 150 < overlaps[0]["overlap_m2"] < 200  # ~8.2 m x 22.2 m


def test_authorised_files_count_refused_ones_do_not(commune: Any) -> None:
    granted = file(commune, LEFT, published=True)
    refused = file(commune, LEFT, in_commission=True)
    decided_state_write(refused, DossierStatus.DECIDED, decision="unfavourable", motivation="too tall")
    newcomer = file(commune, RIGHT_HALF_OVER)
    assert [overlap.dossier_id for overlap in selectors.dossier_overlaps(dossier=newcomer)] == [granted.pk]
