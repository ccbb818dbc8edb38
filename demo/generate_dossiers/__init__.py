"""Synthetic files for scale (`manage.py generate_dossiers`): procedures, communes, step durations drawn from
plausible distributions, outcomes, opinions, commission sessions, footprints, and the audit events the indicators
read (`opendata`), streamed to PostgreSQL by COPY in batches, so memory stays flat whatever the count.

- `histories`: a file's history (`FileHistory`: its workflow marks in time, its opinions, its seat in a session)
  and how one is drawn from a seeded generator;
- `places`: what files are drawn over, read once (uses, activities, agencies, points in each commune, commissions);
- `sessions`: the commissions' agendas (a session per working day and commission, slots filled in order);
- `writing`: the COPY of a batch and the audit chain extended under its lock (`verify_audit` still holds).

Generated files carry no personal data: one inactive account, `generated-applicant`, owns them all, and
`generated-secretary` books their slots. The same seed, catalogue and communes give the same files.
"""

from __future__ import annotations

import math
from datetime import date

from django.utils import timezone

from demo.generate_dossiers.histories import FileHistory, histories_draw
from demo.generate_dossiers.places import places_read
from demo.generate_dossiers.sessions import Agenda
from demo.generate_dossiers.writing import APPLICANT, histories_copy, histories_write
from gis_core.models import Territory, TerritoryLevel
from permits.models import Procedure

__all__ = ["APPLICANT", "FileHistory", "dossiers_generate", "histories_write"]
BATCH = 10_000  # files drawn and written per transaction
COMMISSION_SHARE = 0.85  # of the files, about those booked in a session
SPARE_SLOTS = 1.3  # slots per session over the files expected in it


def _capacity(*, count: int, commissions: int, days: int) -> int:
    """Slots per session: the files expected per working day and commission, with room to spare."""
    working_days = max(1, days * 5 // 7)
    return max(8, math.ceil(count * COMMISSION_SHARE * SPARE_SLOTS / (commissions * working_days)))


def dossiers_generate(*, count: int, seed: int = 0, first_day: date, days: int = 365) -> int:
    """`count` files over the active procedures and every commune, filed in the `days` from `first_day`."""
    procedures = list(Procedure.objects.filter(active=True).order_by("code"))
    communes = list(Territory.objects.filter(level=TerritoryLevel.COMMUNE).order_by("code"))
    if not procedures or not communes:
        raise LookupError("generating files needs the procedure catalogue and at least one commune")
    places = places_read(communes=communes, seed=seed)
    until = timezone.now()
    capacity = _capacity(count=count, commissions=len(set(places.commissions.values())), days=days)
    agenda = Agenda(commissions=places.commissions, capacity=capacity, until=until)
    written, batch = 0, []
    histories = histories_draw(
        count=count, seed=seed, procedures=procedures, communes=communes, places=places, agenda=agenda,
        first_day=first_day, days=days, until=until,
    )  # fmt: skip
    for history in histories:
        batch.append(history)
        if len(batch) == BATCH:
            written += len(histories_copy(batch))
            batch = []
    if batch:
        written += len(histories_copy(batch))
    return written
