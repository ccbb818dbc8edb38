"""The catalogue's part of the site inspections: a procedure's `inspection: required` key and its
`inspection_checklist` (items with fr/ar/en labels), loaded with the rest of the catalogue by
`permits.services.catalogue.procedures_load` (idempotent: items matched by code, in the file's order).
"""

from typing import Any

from permits.models import Procedure

REQUIRED = "required"


class InspectionCatalogueError(ValueError):
    """The catalogue's inspection keys contradict themselves (a checklist without the inspection, a bad value)."""


def inspection_catalogue_load(*, procedure: Procedure, data: dict[str, Any]) -> None:
    """Write the procedure's inspection rule and checklist from its catalogue entry `data`."""
    from permits.inspections.models import ChecklistItem, ProcedureInspection

    value = data.get("inspection")
    if value not in (None, REQUIRED, "none"):
        raise InspectionCatalogueError(f"procedure {procedure.code}: inspection must be 'required' or absent")
    items = data.get("inspection_checklist") or []
    if items and value != REQUIRED:
        raise InspectionCatalogueError(f"procedure {procedure.code}: a checklist without `inspection: required`")
    ProcedureInspection.objects.update_or_create(procedure=procedure, defaults={"required": value == REQUIRED})
    for order, item in enumerate(items):
        ChecklistItem.objects.update_or_create(
            procedure=procedure,
            code=item["code"],
            defaults={
                "label_fr": item["label_fr"],
                "label_ar": item.get("label_ar", ""),
                "label_en": item.get("label_en", ""),
                "order": order,
            },
        )
