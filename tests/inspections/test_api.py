"""The site inspection through the JSON API, on the services of the pages: the desk proposes a date, the applicant
asks for another, the desk reschedules, the applicant confirms; the inspector answers the checklist, adds a photo
(multipart, with its EXIF position) and closes the report, which is signed by the inspector. Every refusal is a
problem (400 bad input, 403 role, 404 a file or an inspection one may not see, 409 state) that changes nothing."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from permits.inspections import selectors
from permits.inspections.models import Inspection, InspectionStatus
from permits.models import Dossier
from tests.inspections.conftest import CASABLANCA, in_days, jpeg_with_gps, photo_upload
from tests.permits.factories import UserFactory
from tests.permits_api.conftest import token_client

pytestmark = pytest.mark.django_db


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    return dict(response.json())


def test_the_inspection_from_its_proposal_to_its_signed_report(
    occupancy: Dossier, staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    base = f"/api/dossiers/{occupancy.pk}/inspection/"
    desk, inspector = token_client(staff["desk_agent"]), token_client(staff["inspector"])
    applicant, stranger = token_client(occupancy.applicant), token_client(UserFactory.create(username="stranger"))
    problem(applicant.get(base), 404)  # none yet

    problem(applicant.post(f"{base}propose/", {"starts_at": in_days(3).isoformat()}, format="json"), 403)
    problem(desk.post(f"{base}propose/", {"starts_at": "yesterday"}, format="json"), 400)
    problem(desk.post(f"{base}propose/", {"starts_at": in_days(-1).isoformat()}, format="json"), 400)
    proposed = desk.post(f"{base}propose/", {"starts_at": in_days(3).isoformat()}, format="json")
    assert proposed.status_code == 201 and proposed.json()["status"] == InspectionStatus.PROPOSED
    item = f"{base}{proposed.json()['id']}/"
    assert applicant.get(base).json()["id"] == proposed.json()["id"]
    problem(stranger.get(base), 404)
    problem(stranger.post(f"{item}confirm/", {}, format="json"), 404)

    problem(applicant.post(f"{item}other-date/", {}, format="json"), 400)  # the message is required
    asked = applicant.post(f"{item}other-date/", {"message": "Plutôt le jeudi matin."}, format="json")
    assert asked.json()["status"] == InspectionStatus.RESCHEDULE_REQUESTED
    moved = desk.post(f"{item}reschedule/", {"starts_at": in_days(4, hour=9).isoformat()}, format="json")
    assert moved.json()["status"] == InspectionStatus.PROPOSED
    assert applicant.post(f"{item}confirm/", {}, format="json").json()["status"] == InspectionStatus.CONFIRMED
    problem(applicant.post(f"{item}confirm/", {}, format="json"), 409)  # confirmed once

    checklist = [row["code"] for row in inspector.get(base).json()["checklist"]]
    assert checklist
    answers = [{"item": code, "result": "conform"} for code in checklist]
    problem(applicant.post(f"{item}report/", {"answers": answers, "verdict": "conform"}, format="json"), 403)
    problem(inspector.post(f"{item}report/", {"answers": [{"item": "roof", "result": "maybe"}]}, format="json"), 400)
    unknown = [{"item": "not-an-item", "result": "conform"}]
    problem(inspector.post(f"{item}report/", {"answers": unknown}, format="json"), 400)
    problem(inspector.post(f"{item}close/", {}, format="json"), 409)  # nothing answered yet
    saved = inspector.post(f"{item}report/", {"answers": answers, "verdict": "conform"}, format="json")
    assert saved.status_code == 200 and {row["result"] for row in saved.json()["checklist"]} == {"conform"}

    problem(inspector.post(f"{item}photos/", {"caption": "no file"}, format="multipart"), 400)
    text_file = photo_upload(b"not an image", name="facade.jpg")
    problem(inspector.post(f"{item}photos/", {"photo": text_file}, format="multipart"), 400)
    photo = inspector.post(f"{item}photos/", {"photo": photo_upload(jpeg_with_gps()), "caption": "Façade"})
    assert photo.status_code == 201, photo.content
    [shown] = photo.json()["photos"]
    assert shown["position_source"] == "exif"
    assert shown["position"] == pytest.approx([CASABLANCA[1], CASABLANCA[0]], abs=1e-4)

    with django_capture_on_commit_callbacks(execute=True):  # the inspector's signature runs after commit
        closed = inspector.post(f"{item}close/", {}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == InspectionStatus.CLOSED
    assert closed.json()["report_signed"] is False  # signed after the closing commits
    assert applicant.get(base).json()["report_signed"] is True
    inspection = Inspection.objects.get(pk=proposed.json()["id"])
    assert selectors.report_is_signed(inspection=inspection)
    problem(inspector.post(f"{item}report/", {"answers": answers, "verdict": "not_conform"}, format="json"), 409)
    problem(desk.post(f"{item}cancel/", {"reason": "too late"}, format="json"), 409)
    inspection.refresh_from_db()
    assert inspection.verdict == "conform" and inspection.status == InspectionStatus.CLOSED


def test_an_inspection_of_another_file_is_not_found(occupancy: Dossier, staff: dict[str, Any]) -> None:
    desk: APIClient = token_client(staff["desk_agent"])
    proposed = desk.post(
        f"/api/dossiers/{occupancy.pk}/inspection/propose/", {"starts_at": in_days(3).isoformat()}, format="json"
    ).json()
    other = Dossier.objects.exclude(pk=occupancy.pk).first()
    assert other is not None  # the building permit the occupancy permit follows
    problem(desk.post(f"/api/dossiers/{other.pk}/inspection/{proposed['id']}/cancel/", {"reason": "x"}), 404)
    problem(desk.post(f"/api/dossiers/{occupancy.pk}/inspection/{proposed['id']}/cancel/", {}, format="json"), 400)
    cancelled = desk.post(
        f"/api/dossiers/{occupancy.pk}/inspection/{proposed['id']}/cancel/", {"reason": "Inspector ill"}, format="json"
    )
    assert cancelled.json()["status"] == InspectionStatus.CANCELLED
