"""Catalogue rows in the active language: procedures, communes and required documents carry `name_fr`,
`name_ar`, `name_en` (or `label_…`) columns, and the pages, forms and templates show the one of the active
language, falling back to French."""

from typing import Any

from django.utils.translation import get_language


def localized(record: Any, prefix: str = "name") -> str:
    """`name_ar`/`name_en`/`label_ar`... of a catalogue row in the active language, falling back to French."""
    language = (get_language() or "fr")[:2]
    return str(getattr(record, f"{prefix}_{language}", "") or getattr(record, f"{prefix}_fr", "") or record)
