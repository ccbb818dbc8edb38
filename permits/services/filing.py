"""Creating, editing and filing a file: drafts, reference numbering, pre-check and overlaps frozen at filing."""

from collections.abc import Iterable
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from gis_core.geometry import parse_user_polygon, to_multipolygon
from gis_core.models import Territory, TerritoryLevel
from parcels.geometry_input import polygon_from_input
from parcels.models import Parcel
from permits import access, selectors, workflow
from permits.answers import InvalidAnswers, answers_clean, answers_columns, procedure_form
from permits.errors import InvalidDossier, PermissionDenied
from permits.models import AUTHORISING_DECISIONS, Dossier, DossierCounter, Procedure
from permits.refusals import refusals_audited
from permits.services.common import audit_and_publish, dossier_lock, transition_run
from permits.services.documents import documents_require_mandatory
from permits.services.mandates import mandate_require
from permits.services.precheck import dossier_precheck_compute

PROJECT_FIELDS = ("title", "height_m", "floors", "gross_floor_area_m2", "use", "units", "establishment_class")


def footprint_from_input(*, value: Any, srid: int | None = None) -> MultiPolygon | None:
    """A footprint as a MultiPolygon in EPSG:4326 from GeoJSON, (E)WKT, a shapely or a GEOS geometry."""
    if value is None:
        return None
    if isinstance(value, GEOSGeometry):
        geometry = shapely.from_wkb(bytes(value.transform(4326, clone=True).wkb if value.srid else value.wkb))
        polygon = parse_user_polygon(geometry)
    elif isinstance(value, shapely.Geometry):
        polygon = parse_user_polygon(value)
    else:
        polygon = polygon_from_input(value=value, srid=srid, label="footprint")
    multi = to_multipolygon(polygon)
    if multi is None:
        raise InvalidDossier("footprint: the polygon has no area")
    return GEOSGeometry(memoryview(shapely.to_wkb(multi)), srid=4326)  # type: ignore[return-value]


def _check_project(*, procedure: Procedure, commune: Territory, fields: dict[str, Any]) -> None:
    if commune.level != TerritoryLevel.COMMUNE:
        raise InvalidDossier(f"{commune.code} is not a commune")
    establishment_class = fields.get("establishment_class")
    if procedure.form_fields and establishment_class is None:
        pass  # the procedure's own form asks for the class (required when the file is filed)
    elif procedure.establishment_classes and establishment_class not in procedure.establishment_classes:
        raise InvalidDossier(
            f"establishment_class: one of {procedure.establishment_classes} is required for {procedure.code}"
        )
    if not procedure.establishment_classes and establishment_class is not None:
        raise InvalidDossier(f"establishment_class does not apply to {procedure.code}")
    for name in ("height_m", "gross_floor_area_m2"):
        value = fields.get(name)
        if value is not None and value < 0:
            raise InvalidDossier(f"{name} must not be negative")


def _use_code(project: dict[str, Any]) -> dict[str, Any]:
    """The project with its `use` as a code of the catalogue's uses (case and spaces ignored); an empty use is
    "not declared yet". Anything else is refused: the use is published, so it is never the applicant's own text."""
    if not project.get("use"):
        return project
    value = str(project["use"]).strip().lower()
    codes = selectors.project_use_codes()
    if value not in codes:
        typed = str(project["use"])[:50]
        raise InvalidDossier(f"use: {typed!r} is not a use of the catalogue; give one of: {', '.join(codes)}")
    return {**project, "use": value}


def _own_form_refuses(*, procedure: Procedure, project: dict[str, Any]) -> None:
    """A procedure with its own form takes its parameters as answers, not the building's (its title aside); a linked
    file (occupancy permit) carries its parent's project as authorised, so its columns may be given."""
    given = sorted(name for name in project if name != "title")
    if procedure.form_fields and procedure.parent_id is None and given:
        raise InvalidDossier(
            f"{', '.join(given)}: not fields of {procedure.code}; give the answers to its own form instead",
            errors={name: ["This procedure's form has no such field."] for name in given},
        )


def _parent_by_reference(*, procedure: Procedure, answers: dict[str, Any]) -> Dossier | None:
    """The file a `parent_file` answer names (already checked as one of the applicant's authorised files)."""
    for spec in procedure_form(procedure):
        if spec.type == "parent_file" and answers.get(spec.key) and procedure.parent_id is not None:
            return Dossier.objects.filter(reference=answers[spec.key], procedure_id=procedure.parent_id).first()
    return None


def answers_apply(
    *, procedure: Procedure, applicant: Any, answers: dict[str, Any], complete: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the answers as stored, the typed columns they fill), through the one validator (`permits.answers`)."""
    cleaned = answers_clean(procedure=procedure, answers=answers, applicant=applicant, complete=complete)
    return cleaned, answers_columns(procedure=procedure, answers=cleaned)


def _check_footprint(*, commune: Territory, footprint: MultiPolygon | None) -> None:
    if footprint is not None and not commune.geom.intersects(footprint):
        raise InvalidDossier(f"footprint: the project lies outside the commune {commune.code}")


def _set_parcels(*, dossier: Dossier, parcels: Iterable[Parcel | int]) -> None:
    ids = [parcel if isinstance(parcel, int) else parcel.pk for parcel in parcels]
    found = Parcel.objects.filter(pk__in=ids, commune_id=dossier.commune_id)
    if found.count() != len(set(ids)):
        raise InvalidDossier("parcels: every parcel must exist and lie in the file's commune")
    dossier.parcels.set(found)


def _check_parent(*, procedure: Procedure, parent_dossier: Dossier | None, applicant: Any) -> Dossier:
    """The file a linked procedure follows, locked: of the parent procedure, authorised, the applicant's own, and
    not already followed by an open file of this procedure."""
    if procedure.parent_id is None:
        raise InvalidDossier(f"{procedure.code} does not follow another file")
    if parent_dossier is None or parent_dossier.procedure_id != procedure.parent_id:
        raise InvalidDossier(f"{procedure.code} must name a file of procedure {procedure.parent}")
    parent = dossier_lock(dossier=parent_dossier)
    if not parent.is_authorised or parent.applicant_id != applicant.pk:
        raise InvalidDossier("the linked file must be an authorised file of the same applicant")
    open_linked = linked_dossier_open(parent_dossier=parent, procedure=procedure)
    if open_linked is not None:
        raise InvalidDossier(f"{open_linked} is already an open {procedure.code} file linked to {parent}")
    return parent


@refusals_audited("dossier.create")
@transaction.atomic
def dossier_create(
    *,
    actor: Any,
    address: str | None,
    procedure: Procedure,
    commune: Territory,
    applicant: Any | None = None,
    parcels: Iterable[Parcel | int] = (),
    footprint: Any = None,
    footprint_srid: int | None = None,
    parent_dossier: Dossier | None = None,
    answers: dict[str, Any] | None = None,
    **project: Any,
) -> Dossier:
    """A new draft. An architect (role `architect`) may file for another applicant only under an active mandate of
    theirs for all their files (`permits.services.mandates`); the architect and the mandate are recorded. `answers`
    answer the procedure's own form (checked by `permits.answers`; a draft may leave some out)."""
    unknown = set(project) - set(PROJECT_FIELDS)
    if unknown:
        raise InvalidDossier(f"unknown project fields: {', '.join(sorted(unknown))}")
    _own_form_refuses(procedure=procedure, project=project)
    if answers and not procedure.form_fields:
        raise InvalidAnswers({"answers": ["This procedure has no form of its own: give the building parameters."]})
    project = _use_code(project)
    if not procedure.active:
        raise InvalidDossier(f"procedure {procedure.code} is not open to new files")
    applicant = applicant or actor
    architect = mandate = None
    if applicant.pk != actor.pk:
        # an architect files for someone only under that applicant's active mandate (all their files)
        mandate = mandate_require(architect=actor, applicant_id=applicant.pk)
        architect = actor
    cleaned_answers: dict[str, Any] = {}
    if procedure.form_fields:
        cleaned_answers, columns = answers_apply(procedure=procedure, applicant=applicant, answers=answers or {})
        project = {**project, **{name: value for name, value in columns.items() if value is not None}}
        parent_dossier = parent_dossier or _parent_by_reference(procedure=procedure, answers=cleaned_answers)
    _check_project(procedure=procedure, commune=commune, fields=project)
    if parent_dossier is not None or procedure.requires_parent_dossier:
        parent_dossier = _check_parent(procedure=procedure, parent_dossier=parent_dossier, applicant=applicant)
    footprint_geometry = footprint_from_input(value=footprint, srid=footprint_srid)
    _check_footprint(commune=commune, footprint=footprint_geometry)
    dossier = Dossier(
        procedure=procedure,
        commune=commune,
        applicant=applicant,
        architect=architect,
        mandate=mandate,
        parent_dossier=parent_dossier,
        footprint=footprint_geometry,
        answers=cleaned_answers,
        **project,
    )
    dossier.save()
    _set_parcels(dossier=dossier, parcels=parcels)
    audit_and_publish(
        dossier=dossier,
        actor=actor,
        address=address,
        action="dossier.created",
        payload={
            "procedure": procedure.code,
            "commune": commune.code,
            "architect": architect is not None,
            "mandate": mandate.pk if mandate else None,
        },
    )
    return dossier


def linked_dossier_open(*, parent_dossier: Dossier, procedure: Procedure) -> Dossier | None:
    """The open file (draft to commission) of `procedure` linked to `parent_dossier`, if there is one: a file
    follows its parent once per procedure at a time (a new one only after a decision or a withdrawal)."""
    return (
        Dossier.objects.filter(parent_dossier=parent_dossier, procedure=procedure, status__in=workflow.OPEN)
        .order_by("pk")
        .first()
    )


def linkable_parents_of(*, applicant: Any) -> QuerySet[Dossier]:
    """The applicant's own authorised files that a linked procedure open to new files may follow (building
    permits for the occupancy permit and the certificate of conformity), newest decision first."""
    parents = selectors.procedures_active().exclude(parent=None).values("parent_id")
    return (
        Dossier.objects.filter(
            applicant_id=applicant.pk,
            procedure_id__in=parents,
            decision__in=AUTHORISING_DECISIONS,
            status__in=workflow.DECIDED_GROUP,
        )
        .select_related("procedure")
        .order_by("-decided_at", "-pk")
    )


def _linked_project(*, parent: Dossier, procedure: Procedure) -> dict[str, Any]:
    """What a linked file takes from its parent: the project as authorised (the class only where it applies)."""
    project = {name: getattr(parent, name) for name in PROJECT_FIELDS}
    if project["establishment_class"] not in (procedure.establishment_classes or []):
        project["establishment_class"] = None
    return project


@transaction.atomic
def dossier_start_linked(
    *, actor: Any, address: str | None, parent_dossier: Dossier, procedure: Procedure, title: str | None = None
) -> tuple[Dossier, bool]:
    """The file of `procedure` that follows `parent_dossier` (the occupancy permit of a building permit): the
    one already open if any (returned with False), else a new draft pre-filled from the parent's commune,
    parcels, footprint and project, `title` replacing the parent's (True). Documents are never copied: each
    procedure asks for its own."""
    if procedure.parent_id != parent_dossier.procedure_id:
        raise InvalidDossier(f"{procedure.code} does not follow a file of procedure {parent_dossier.procedure}")
    parent = dossier_lock(dossier=parent_dossier)
    if not access.is_owner(actor, parent):
        raise PermissionDenied("only the applicant or their architect may follow this file")
    existing = linked_dossier_open(parent_dossier=parent, procedure=procedure)
    if existing is not None:
        return existing, False
    dossier = dossier_create(
        actor=actor,
        address=address,
        procedure=procedure,
        commune=parent.commune,
        applicant=parent.applicant,
        parcels=list(parent.parcels.values_list("pk", flat=True)),
        footprint=parent.footprint,
        parent_dossier=parent,
        answers={spec.key: parent.reference for spec in procedure_form(procedure) if spec.type == "parent_file"},
        **{**_linked_project(parent=parent, procedure=procedure), **({"title": title} if title else {})},
    )
    return dossier, True


@refusals_audited("dossier.update")
@transaction.atomic
def dossier_update(
    *,
    actor: Any,
    address: str | None,
    dossier: Dossier,
    parcels: Iterable[Parcel | int] | None = None,
    footprint: Any = None,
    footprint_srid: int | None = None,
    answers: dict[str, Any] | None = None,
    **project: Any,
) -> Dossier:
    """Edit a draft (or a file returned as incomplete): project parameters or the answers to the procedure's own
    form (the keys given replace theirs; a null removes an answer), parcels, footprint."""
    dossier = dossier_lock(dossier=dossier)
    if not access.is_owner(actor, dossier):
        raise PermissionDenied("only the applicant or their architect may edit the file")
    if dossier.status not in workflow.EDITABLE:
        raise InvalidDossier(f"a file that is {dossier.status} cannot be edited")
    unknown = set(project) - set(PROJECT_FIELDS)
    if unknown:
        raise InvalidDossier(f"unknown project fields: {', '.join(sorted(unknown))}")
    procedure = dossier.procedure
    _own_form_refuses(procedure=procedure, project=project)
    if answers is not None and not procedure.form_fields:
        raise InvalidAnswers({"answers": ["This procedure has no form of its own: give the building parameters."]})
    project = _use_code(project)
    if answers is not None:
        if not isinstance(answers, dict):
            raise InvalidAnswers({"answers": ["The answers are a mapping of field keys to values."]})
        combined = {key: value for key, value in {**dossier.answers, **answers}.items() if value is not None}
        dossier.answers, columns = answers_apply(procedure=procedure, applicant=dossier.applicant, answers=combined)
        project = {**project, **columns}
        parent = _parent_by_reference(procedure=procedure, answers=dossier.answers)
        if parent is not None and parent.pk != dossier.parent_dossier_id:
            dossier.parent_dossier = _check_parent(
                procedure=procedure, parent_dossier=parent, applicant=dossier.applicant
            )
    merged = {name: project.get(name, getattr(dossier, name)) for name in PROJECT_FIELDS}
    _check_project(procedure=procedure, commune=dossier.commune, fields=merged)
    for name, value in project.items():
        setattr(dossier, name, value)
    if footprint is not None:
        dossier.footprint = footprint_from_input(value=footprint, srid=footprint_srid)
        _check_footprint(commune=dossier.commune, footprint=dossier.footprint)
    dossier.save()
    if parcels is not None:
        _set_parcels(dossier=dossier, parcels=parcels)
    changed = sorted(
        [
            *project,
            *(["answers"] if answers is not None else []),
            *(["footprint"] if footprint is not None else []),
            *(["parcels"] if parcels else []),
        ]
    )
    audit_and_publish(
        dossier=dossier, actor=actor, address=address, action="dossier.updated", payload={"changed": changed}
    )
    return dossier


def reference_allocate(*, commune: Territory, year: int) -> str:
    """Next reference of a commune and year, `CODE/YYYY/000123`: gap-free, because the counter row is locked
    (SELECT ... FOR UPDATE) until the filing transaction ends, and rolled back with it."""
    DossierCounter.objects.bulk_create([DossierCounter(commune=commune, year=year)], ignore_conflicts=True)
    counter = DossierCounter.objects.select_for_update().get(commune=commune, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{commune.code}/{year}/{counter.last_number:06d}"


@transaction.atomic
def dossier_submit(*, actor: Any, address: str | None, dossier: Dossier) -> Dossier:
    """File a draft (or re-file a file returned as incomplete): number it, freeze its pre-check and overlaps.
    Refused (409, listing them) while a mandatory document of the procedure has no uploaded version, and (409)
    unless the applicant signed the application form of the file's current content (`services.application`)."""
    dossier = dossier_lock(dossier=dossier)
    workflow.transition_check(dossier=dossier, action=workflow.Action.SUBMIT, actor=actor)
    if dossier.procedure.form_fields:  # every required answer, as the procedure's form declares them
        answers_apply(procedure=dossier.procedure, applicant=dossier.applicant, answers=dossier.answers, complete=True)
    documents_require_mandatory(dossier=dossier)
    from permits.services.application import application_signature_require  # it reads the form's facts

    signature = application_signature_require(dossier=dossier)
    now = timezone.now()
    first_filing = dossier.reference is None
    if first_filing:
        dossier.reference = reference_allocate(commune=dossier.commune, year=timezone.localdate(now).year)
    dossier.submitted_at = now
    dossier.precheck = dossier_precheck_compute(dossier=dossier)
    # The back office's facts; an applicant is shown only the published authorisations of it (selectors).
    dossier.overlaps_at_filing = selectors.dossier_overlaps_record(dossier=dossier)
    return transition_run(
        dossier=dossier,
        action=workflow.Action.SUBMIT,
        actor=actor,
        address=address,
        payload={
            "first_filing": first_filing,
            "signed_application": signature.document_id,
            "precheck": dossier.precheck.get("status"),
            "overlaps": [overlap["reference"] for overlap in dossier.overlaps_at_filing],
        },
    )


@transaction.atomic
def dossier_withdraw(*, actor: Any, address: str | None, dossier: Dossier, reason: str = "") -> Dossier:
    """The applicant (or their architect) withdraws an open file; pending consultations are closed."""
    from permits.services.instruction import consultations_close_pending

    dossier = dossier_lock(dossier=dossier)
    workflow.transition_check(dossier=dossier, action=workflow.Action.WITHDRAW, actor=actor)
    dossier.withdrawn_at = timezone.now()
    consultations_close_pending(dossier=dossier)
    return transition_run(
        dossier=dossier, action=workflow.Action.WITHDRAW, actor=actor, address=address, payload={"reason": reason}
    )
