"""Nothing writes a status but its state machine: a file's (`permits.workflow`), a remark's, a consultation's and a
mandate's (`permits.lifecycles`), a booking's and a signature request's (`permits.commissions.lifecycles`), a site
inspection's (`permits.inspections.lifecycles`), a plan annotation's (`permits.plans.lifecycles`).

At run time the models refuse any other write (`permits.models.status`); in the source, no module but the
machines assigns a `.status`, calls `status_write`, or updates a status with a queryset."""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps

from permits.models import (
    ConsultationStatus,
    DossierStatus,
    IllegalStatusWrite,
    MachineWrittenStatus,
    Mandate,
    MandateStatus,
    RemarkStatus,
)
from tests.permits.factories import DossierFactory, UserFactory
from tests.permits.lifecycle import assert_status_written_by_machine_only

ROOT = Path(__file__).resolve().parents[2]
# Every package that may import the permits models; gis_core and parcels may not (import-linter contracts).
SCANNED = ("bench", "config", "ogc_services", "opendata", "permits", "tiles", "web")
MACHINE_MODULES = {"permits/models/status.py", "permits/machines.py", "permits/workflow.py"}
MACHINE_WRITTEN = {model.__name__ for model in apps.get_models() if issubclass(model, MachineWrittenStatus)}


def status_writes(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, what) for each place that writes a status directly."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "status" and isinstance(node.ctx, ast.Store):
            yield node.lineno, "assigns .status"
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        keywords = {keyword.arg for keyword in node.keywords}
        arguments = [ast.literal_eval(argument) for argument in node.args if isinstance(argument, ast.Constant)]
        if name == "status_write":
            yield node.lineno, "calls status_write"
        elif name == "update" and "status" in keywords:
            yield node.lineno, "update(status=...)"
        elif name == "bulk_update" and "status" in ast.unparse(node):
            yield node.lineno, "bulk_update of the status"
        elif name in MACHINE_WRITTEN and "status" in keywords:
            yield node.lineno, f"{name}(status=...), which bulk_create would store without save"
        elif name == "setattr" and "status" in arguments:
            yield node.lineno, 'setattr(..., "status", ...)'


def test_the_scan_finds_each_kind_of_write() -> None:
    source = """
remark.status = "closed"
booking.status, booking.moved_at = "cancelled", now
request.status_write("signed")
Consultation.objects.filter(dossier=dossier).update(status="closed")
Remark.objects.bulk_update(remarks, ["status"])
Consultation.objects.bulk_create([Consultation(dossier=dossier, status="given")])
setattr(remark, "status", "answered")
"""
    assert sorted(line for line, _ in status_writes(ast.parse(source))) == [2, 3, 4, 5, 6, 7, 8]


def test_no_module_writes_a_status_outside_the_machines() -> None:
    assert {
        "Dossier",
        "Remark",
        "Consultation",
        "Booking",
        "SignatureRequest",
        "Inspection",
        "Mandate",
        "PlanAnnotation",
    } == MACHINE_WRITTEN
    found = []
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            module = path.relative_to(ROOT).as_posix()
            if module in MACHINE_MODULES:
                continue
            found += [f"{module}:{line}: {what}" for line, what in status_writes(ast.parse(path.read_text()))]
    assert found == []


@pytest.mark.django_db
def test_a_file_remark_and_consultation_refuse_a_status_written_outside_their_machine() -> None:
    assert_status_written_by_machine_only(DossierFactory.create(), DossierStatus.PUBLISHED)
    dossier = DossierFactory.create(remarks_issued=True)
    assert_status_written_by_machine_only(dossier.remarks.get(), RemarkStatus.CLOSED)
    assert_status_written_by_machine_only(dossier.consultations.get(), ConsultationStatus.GIVEN)
    architect = UserFactory.create(username="architect-of-the-test")
    mandate = Mandate.objects.create(architect=architect, invited_by=architect, invited_email="client@example.org")
    assert_status_written_by_machine_only(mandate, MandateStatus.REVOKED)


@pytest.mark.django_db
def test_a_related_manager_refuses_a_status_update_too() -> None:
    dossier = DossierFactory.create(remarks_issued=True)
    with pytest.raises(IllegalStatusWrite):
        dossier.remarks.update(status=RemarkStatus.CLOSED)
    assert dossier.remarks.get().status == RemarkStatus.OPEN
