"""Loading the shipped agencies fixture (Moroccan bodies consulted per overlay kind), idempotently by code."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from parcels.models import Agency

AGENCIES_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "agencies.json"


@transaction.atomic
def agencies_load(*, path: Path = AGENCIES_FIXTURE) -> tuple[int, int]:
    """Create or update the agencies of a Django-format fixture by code; returns (created, updated)."""
    created = updated = 0
    for record in json.loads(path.read_text(encoding="utf-8")):
        fields = dict(record["fields"])
        code = fields.pop("code")
        _, was_created = Agency.objects.update_or_create(code=code, defaults=fields)
        created += was_created
        updated += not was_created
    return created, updated
