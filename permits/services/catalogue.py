"""Loading the procedure catalogue (uses, agencies, procedures and everything they define) from a YAML file.

Idempotent: rows are matched by their natural keys (agency code, procedure code, document code...) and
updated; rows added in the admin and absent from the file are left alone, except procedures: the file is the list
of procedures one may file, so a procedure it no longer lists is deactivated (never deleted: files refer to it;
reactivating one is the administrator's choice).
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from parcels.models import Agency
from permits.answers import DeclarationError, FormField, declaration_parse
from permits.inspections.catalogue import inspection_catalogue_load
from permits.models import (
    CLOCK_STEPS,
    ApplicantReturn,
    ClockStart,
    DecisionPath,
    EconomicActivity,
    OccasionalMemberRule,
    OutcomeDocument,
    PermanentMember,
    Procedure,
    ProjectUse,
    RequiredDocument,
    Role,
    RuleKind,
    SilenceOutcome,
    StepDeadline,
)

DEFAULT_CATALOGUE = Path(__file__).resolve().parent.parent / "fixtures" / "procedures.yaml"


class CatalogueError(ValueError):
    """The catalogue file contradicts itself (e.g. a rule names a use that is not in its list of uses)."""


@dataclass
class CatalogueLoadSummary:
    uses: int = 0
    activities: int = 0
    agencies: int = 0
    procedures: int = 0
    created: int = 0
    deactivated: int = 0


def _names(data: dict[str, Any], prefix: str = "name") -> dict[str, str]:
    return {f"{prefix}_{language}": data.get(f"{prefix}_{language}", "") for language in ("fr", "ar", "en")}


def _procedure_form(data: dict[str, Any]) -> list[FormField]:
    """The procedure's declared form, checked (types, conditions, columns, activity codes)."""
    try:
        return declaration_parse(data.get("form_fields") or [], where=f"procedure {data['code']}: form_fields")
    except DeclarationError as error:
        raise CatalogueError(str(error)) from error


def _check_answer_condition(
    procedure_code: str, form: list[FormField], field: Any, values: list[str], what: str
) -> None:
    """A rule or a document conditioned on an answer names a field of the form, and values it can take."""
    spec = next((item for item in form if item.key == field), None)
    if spec is None:
        raise CatalogueError(f"procedure {procedure_code}: {what} names {field!r}, which is not a field of its form")
    allowed = {choice.value for choice in spec.choices} if spec.type == "choice" else None
    unknown = sorted(set(values) - allowed) if allowed is not None else []
    if unknown:
        raise CatalogueError(f"procedure {procedure_code}: {what} names values {', '.join(unknown)} of {field}")


def _procedure_children(procedure: Procedure, data: dict[str, Any], agencies: dict[str, Agency]) -> None:
    form = _procedure_form(data)
    for step, days in (data.get("deadlines") or {}).items():
        StepDeadline.objects.update_or_create(procedure=procedure, step=step, defaults={"business_days": days})
    for step, clock in (data.get("clock") or {}).items():
        StepDeadline.objects.update_or_create(
            procedure=procedure, step=step, defaults=_clock_step(data["code"], step, clock)
        )
    for order, document in enumerate(data.get("required_documents") or []):
        condition = document.get("required_when") or {}
        if condition:
            values = [str(value) for value in condition.get("values", [])]
            _check_answer_condition(data["code"], form, condition.get("field"), values, f"document {document['code']}")
            condition = {"field": condition["field"], "values": values}
        RequiredDocument.objects.update_or_create(
            procedure=procedure,
            code=document["code"],
            defaults={
                **_names(document, "label"),
                "accepted_formats": document.get("formats", ["pdf"]),
                "mandatory": document.get("mandatory", True),
                "required_when": condition,
                "order": order,
            },
        )
    for member in data.get("permanent_members") or []:
        PermanentMember.objects.update_or_create(
            procedure=procedure, agency=agencies[member["agency"]], defaults={"role_label": member.get("role", "")}
        )
    for rule in data.get("occasional_rules") or []:
        if rule["kind"] == RuleKind.USE_IN:
            _check_use_codes(data["code"], [str(value) for value in rule.get("values", [])])
        if rule["kind"] == RuleKind.ANSWER_IN:
            values = [str(value) for value in rule.get("values", [])]
            _check_answer_condition(data["code"], form, rule.get("field"), values, "an answer_in rule")
        agency = agencies[rule["agency"]] if rule.get("agency") else None
        OccasionalMemberRule.objects.update_or_create(
            procedure=procedure,
            kind=rule["kind"],
            agency=agency,
            overlay_kind=rule.get("overlay_kind", ""),
            answer_field=rule.get("field", ""),
            defaults={
                "threshold": rule.get("threshold"),
                "values": [str(value) for value in rule.get("values", [])],
                "description": rule.get("description", ""),
            },
        )
    for document in data.get("outcome_documents") or []:
        OutcomeDocument.objects.update_or_create(
            procedure=procedure,
            code=document["code"],
            defaults={**_names(document, "label"), "signed_by": document.get("signed_by", "")},
        )


def _clock_step(procedure_code: str, step: str, clock: dict[str, Any]) -> dict[str, Any]:
    """The fields of one step of the file's clock (`clock:` in the catalogue), checked."""

    def refuse(why: str) -> CatalogueError:
        return CatalogueError(f"procedure {procedure_code}, clock step {step}: {why}")

    if step not in CLOCK_STEPS:
        raise refuse(f"not a step of the file's clock ({', '.join(CLOCK_STEPS)})")
    unknown = set(clock) - {
        "business_days", "months", "counted_from", "silence", "remind_before", "escalate_to",
        "on_applicant_return", "source", "source_fr", "source_ar",
    }  # fmt: skip
    if unknown:
        raise refuse(f"unknown keys {', '.join(sorted(unknown))}")
    if ("business_days" in clock) == ("months" in clock):
        raise refuse("give business_days or months, one of them")
    silence = clock.get("silence", SilenceOutcome.ESCALATE)
    if silence not in SilenceOutcome.values:
        raise refuse(f"silence must be one of {', '.join(SilenceOutcome.values)}")
    if silence == SilenceOutcome.TACIT_APPROVAL and step != "decision":
        raise refuse("only the decision may be tacit")
    if silence == SilenceOutcome.TACIT_APPROVAL and not (clock.get("source_fr") and clock.get("source_ar")):
        raise refuse("a tacit approval cites its source in French and Arabic (source_fr, source_ar)")
    escalate_to = clock.get("escalate_to", "")
    if escalate_to and escalate_to not in Role.values:
        raise refuse(f"escalate_to {escalate_to!r} is not a role")
    if silence == SilenceOutcome.ESCALATE and not escalate_to:
        raise refuse("an escalation needs escalate_to (a role)")
    counted_from = clock.get("counted_from", ClockStart.STEP)
    on_return = clock.get("on_applicant_return", ApplicantReturn.RESUME)
    if counted_from not in ClockStart.values or on_return not in ApplicantReturn.values:
        raise refuse("counted_from is step or filing; on_applicant_return is resume or restart")
    return {
        "business_days": int(clock.get("business_days") or 0),
        "months": clock.get("months"),
        "counted_from": counted_from,
        "silence": silence,
        "remind_before": int(clock.get("remind_before", 0)),
        "escalate_to": escalate_to,
        "on_applicant_return": on_return,
        "legal_source": str(clock.get("source", ""))[:300],
        "legal_source_fr": str(clock.get("source_fr", ""))[:300],
        "legal_source_ar": str(clock.get("source_ar", ""))[:300],
    }


def _check_use_codes(procedure_code: str, values: list[str]) -> None:
    known = set(ProjectUse.objects.values_list("code", flat=True))
    unknown = sorted(set(values) - known)
    if unknown:
        raise CatalogueError(
            f"procedure {procedure_code}: a use_in rule names {', '.join(unknown)}, which are not codes of the "
            f"catalogue's uses ({', '.join(sorted(known))})"
        )


def activities_load(entries: list[dict[str, Any]]) -> int:
    """Create or update the nomenclature of economic activities, in the file's order; each names a use's code."""
    for order, data in enumerate(entries):
        _check_use_codes(f"activity {data['code']}", [data["use"]] if data.get("use") else [])
        EconomicActivity.objects.update_or_create(
            code=data["code"], defaults={**_names(data, "label"), "use": data.get("use", ""), "order": order}
        )
    return len(entries)


def uses_load(entries: list[dict[str, Any]]) -> int:
    """Create or update the uses of the nomenclature, in the file's order."""
    for order, data in enumerate(entries):
        ProjectUse.objects.update_or_create(code=data["code"], defaults={**_names(data, "label"), "order": order})
    return len(entries)


@transaction.atomic
def procedures_load(*, path: Path = DEFAULT_CATALOGUE) -> CatalogueLoadSummary:
    """Create or update the uses, activities, agencies and procedures of a catalogue file (fixtures/procedures.yaml)."""
    catalogue = yaml.safe_load(path.read_text(encoding="utf-8"))
    summary = CatalogueLoadSummary()
    summary.uses = uses_load(catalogue.get("uses") or [])
    summary.activities = activities_load(catalogue.get("activities") or [])
    agencies: dict[str, Agency] = {}
    for data in catalogue.get("agencies", []):
        agency, created = Agency.objects.get_or_create(code=data["code"], defaults=_names(data))
        if not created:
            for field, value in _names(data).items():
                if value:
                    setattr(agency, field, value)
            agency.save()
        agencies[agency.code] = agency
        summary.agencies += 1
    for agency in Agency.objects.exclude(code__in=agencies):
        agencies[agency.code] = agency
    procedures: dict[str, Procedure] = {}
    for data in catalogue.get("procedures", []):
        parent = procedures.get(data["parent"]) if data.get("parent") else None
        procedure, created = Procedure.objects.update_or_create(
            code=data["code"],
            defaults={
                **_names(data),
                "family": data["family"],
                "parent": parent,
                "requires_parent_dossier": data.get("requires_parent_dossier", False),
                "establishment_classes": data.get("establishment_classes", []),
                "commission_name_fr": data.get("commission_fr", ""),
                "tacit_opinion": data.get("tacit_opinion", "favourable"),
                "requires_footprint": data.get("requires_footprint", True),
                "decided_by": data.get("decided_by", DecisionPath.COMMISSION),
                "decision_role": data.get("decision_role", ""),
                "form_fields": data.get("form_fields") or [],
            },
        )
        _procedure_children(procedure, data, agencies)
        inspection_catalogue_load(procedure=procedure, data=data)
        procedures[procedure.code] = procedure
        summary.procedures += 1
        summary.created += int(created)
    summary.deactivated = Procedure.objects.filter(active=True).exclude(code__in=procedures).update(active=False)
    return summary
