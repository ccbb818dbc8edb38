"""The annotated copy and the comparison through the plans API, on the test plans with known geometry: the copy's
annotations read back with pypdf (the original's bytes first), the changed region found where the 10 m wall moved
and nowhere else, and the same access rules as every plan route (404 to whoever may not see the file)."""

import io
from typing import Any

import pytest
from pypdf import PdfReader

from gis_core.documents.selectors import document_open
from permits.models import DossierStatus
from tests.permits.factories import DossierFactory, UserFactory, advance
from tests.permits_api.conftest import assert_problem
from tests.plans.conftest import plan_upload
from tests.plans.plan_files import PLAN, plan_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(commune: Any, staff: dict[str, Any]) -> dict[str, Any]:
    """A file under instruction with the plan and its revision (the wall moved 1 m north)."""
    dossier = DossierFactory.create(commune=commune)
    first = plan_upload(dossier, plan_pdf())
    second = plan_upload(dossier, plan_pdf(version=2), supersedes=first, document_type="other")
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    return {"dossier": dossier, "first": first, "second": second, **staff}


def test_the_annotated_copy_lists_the_annotations_and_keeps_the_original(
    two_versions: dict[str, Any], as_token: Any
) -> None:
    plan, dossier = two_versions["second"], two_versions["dossier"]
    desk = as_token(two_versions["desk_agent"])
    desk.put(f"/api/plans/{plan.pk}/calibrations/1/", {"method": "declared", "scale_denominator": 100}, format="json")
    (x0, y0), (x1, y1) = PLAN.wall(2)
    wall = desk.post(
        f"/api/plans/{plan.pk}/annotations/",
        {"page": 1, "kind": "distance", "points": [[x0, y0], [x1, y1]], "text": "Mur nord"},
        format="json",
    ).json()
    assert wall["measurement"]["value"] == pytest.approx(10.0)
    stamp = desk.post(
        f"/api/plans/{plan.pk}/annotations/",
        {"page": 1, "kind": "stamp", "points": [[1500, 200]], "stamp": "to-correct"},
        format="json",
    ).json()
    gone = desk.post(
        f"/api/plans/{plan.pk}/annotations/", {"page": 1, "kind": "line", "points": [[10, 10], [50, 50]]}, format="json"
    ).json()
    desk.delete(f"/api/annotations/{gone['id']}/")

    response = as_token(dossier.applicant).get(f"/api/plans/{plan.pk}/annotated.pdf")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf" and "annotated.pdf" in response["Content-Disposition"]
    assert response.content.startswith(stored_bytes(plan))  # one incremental update after the original's bytes
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2  # the plan and the remarks' summary
    annotations = [item.get_object() for item in reader.pages[0].annotations or []]
    by_name = {str(item["/NM"]): item for item in annotations}
    assert set(by_name) == {f"urbaplan-annotation-{wall['id']}", f"urbaplan-annotation-{stamp['id']}"}
    assert by_name[f"urbaplan-annotation-{wall['id']}"]["/Subtype"] == "/Line"
    assert "10.00 m" in str(by_name[f"urbaplan-annotation-{wall['id']}"]["/Contents"])
    assert by_name[f"urbaplan-annotation-{stamp['id']}"]["/Subtype"] == "/Stamp"
    assert_problem(as_token(UserFactory.create()).get(f"/api/plans/{plan.pk}/annotated.pdf"), 404)


def stored_bytes(document: Any) -> bytes:
    with document_open(document=document.stored_document) as file:
        return bytes(file.read())


def test_the_comparison_finds_the_moved_wall(two_versions: dict[str, Any], as_token: Any) -> None:
    first, second = two_versions["first"], two_versions["second"]
    desk = as_token(two_versions["desk_agent"])
    query = {"from": first.pk, "to": second.pk, "page": 1}
    response = desk.get("/api/plans/compare/", query)
    assert response.status_code == 200, response.content
    regions = response.json()["regions"]
    assert regions, "the moved wall is a change"
    (x0, y_old), (x1, _) = PLAN.wall(1)
    y_new = PLAN.wall(2)[0][1]
    for region in regions:  # every change is around the old or the new wall, nothing elsewhere
        assert region["x"] >= x0 - 20 and region["x"] + region["width"] <= x1 + 40, region
        assert region["y"] >= y_old - 40 and region["y"] + region["height"] <= y_new + 40, region
    picture = desk.get(response.json()["diff_png_url"])
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG\r\n")

    owner = as_token(two_versions["dossier"].applicant)
    assert owner.get("/api/plans/compare/", query).status_code == 200
    assert_problem(as_token(UserFactory.create()).get("/api/plans/compare/", query), 404)
    other = DossierFactory.create(commune=two_versions["dossier"].commune, applicant=two_versions["dossier"].applicant)
    foreign = plan_upload(other, plan_pdf())
    assert_problem(owner.get("/api/plans/compare/", {"from": foreign.pk, "to": second.pk}), 404)
    for bad in ({"from": first.pk}, {"from": "x", "to": second.pk}, {**query, "page": 0}, {**query, "page": 2}):
        assert_problem(owner.get("/api/plans/compare/", bad), 400)
