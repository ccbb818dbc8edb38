"""What the application form says, read from the file, and its fingerprint (SHA-256 of the canonical JSON).

The fingerprint covers every fact printed on the form plus the footprint's geometry: a change of the file's data
or documents after signing changes it, and submission then asks for a new signature.
"""

import hashlib
import json
from typing import Any

from permits.models import SIGNED_APPLICATION, Dossier, DossierDocument, UserProfile
from permits.services.filing import PROJECT_FIELDS


def mask_national_id(value: str) -> str:
    """A national ID number shown with its last three characters only ("•••••567")."""
    value = (value or "").strip()
    if not value:
        return ""
    return "•" * max(len(value) - 3, 3) + value[-3:]


def _person(user: Any) -> dict[str, Any]:
    profile = UserProfile.objects.filter(user=user).first()
    # merge seam: the accounts' sign-up keeps the national ID number on the profile (`national_id`)
    national_id = getattr(profile, "national_id", "") if profile else ""
    return {
        "id": user.pk,
        "name": user.get_full_name() or user.get_username(),
        "email": user.email,
        "phone": profile.phone if profile else "",
        "national_id_masked": mask_national_id(national_id),
    }


def _documents(dossier: Dossier) -> list[dict[str, Any]]:
    current = (
        DossierDocument.objects.filter(dossier=dossier, stored_document__superseded_by__isnull=True)
        .exclude(document_type=SIGNED_APPLICATION)
        .select_related("stored_document", "required_document")
        .order_by("document_type", "pk")
    )
    return [
        {
            "type": document.document_type,
            "label_fr": document.required_document.label_fr if document.required_document else document.document_type,
            "label_ar": document.required_document.label_ar if document.required_document else document.document_type,
            "filename": document.stored_document.original_filename,
            "version": document.stored_document.version,
            "sha256": document.stored_document.sha256,
        }
        for document in current
    ]


def application_facts(*, dossier: Dossier) -> dict[str, Any]:
    """Every fact of the form, JSON-serialisable (the fingerprint is computed over it)."""
    procedure, commune = dossier.procedure, dossier.commune
    mandate = dossier.mandate
    return {
        "file": {"id": dossier.pk, "reference": dossier.reference or "", "title": dossier.title},
        "procedure": {"code": procedure.code, "name_fr": procedure.name_fr, "name_ar": procedure.name_ar},
        "commune": {"code": commune.code, "name_fr": commune.name_fr, "name_ar": commune.name_ar},
        "applicant": _person(dossier.applicant),
        "architect": _person(dossier.architect) if dossier.architect_id else None,
        "mandate": (
            {"id": mandate.pk, "scope": mandate.scope, "since": mandate.active_since.date().isoformat()}
            if mandate is not None and mandate.active_since
            else None
        ),
        "parent": str(dossier.parent_dossier) if dossier.parent_dossier_id else None,
        "parcels": [
            {"reference": parcel.reference, "land_title": parcel.land_title, "area_m2": round(parcel.area_m2, 1)}
            for parcel in dossier.parcels.order_by("reference")
        ],
        "project": {name: getattr(dossier, name) for name in PROJECT_FIELDS if name != "title"},
        "answers": dossier.answers or {},  # the procedure's own form (permits.answers)
        "footprint_sha256": hashlib.sha256(bytes(dossier.footprint.wkb)).hexdigest() if dossier.footprint else None,
        "documents": _documents(dossier),
    }


def content_sha256(facts: dict[str, Any]) -> str:
    """The fingerprint of what the applicant declares: every fact but the reference the platform gives at filing
    (a file returned as incomplete is re-filed under its reference with the signature it had, if nothing changed)."""
    declared = {**facts, "file": {key: value for key, value in facts["file"].items() if key != "reference"}}
    canonical = json.dumps(declared, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
