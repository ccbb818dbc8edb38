"""The site inspection pages through Django's test client: the back office proposes a date, the applicant confirms
it from their file page, the inspector writes and closes the report (photo from the phone's camera input), the
applicant sees the verdict and downloads the signed report; bad input is a message, never a 500, and changes
nothing; the pages exist in Arabic, right to left."""

from typing import Any

import pytest
from django.test import Client

from permits.inspections.models import Inspection, InspectionStatus
from permits.models import Dossier
from tests.inspections.conftest import in_days, jpeg_with_gps, photo_upload

pytestmark = pytest.mark.django_db


def client_for(user: Any, language: str = "fr") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def local(moment: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_from_the_proposal_to_the_closed_report(
    occupancy: Dossier, staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    desk, inspector = client_for(staff["desk_agent"]), client_for(staff["inspector"])
    applicant = client_for(occupancy.applicant)
    office_page = desk.get(f"/files/{occupancy.pk}/")
    assert b'id="inspection-page-link"' in office_page.content
    page = desk.get(f"/files/{occupancy.pk}/inspection/")
    assert page.status_code == 200 and b'id="inspection-propose"' in page.content
    starts_at = in_days(3)
    response = desk.post(
        f"/files/{occupancy.pk}/inspection/propose/",
        {"starts_at": local(starts_at), "duration_minutes": "45", "inspector": staff["inspector"].pk},
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get(dossier=occupancy)
    assert inspection.starts_at == starts_at and inspection.inspector == staff["inspector"]

    queue = inspector.get("/office/").content.decode()  # the inspector's back office lists the visits to come
    assert 'id="upcoming-inspections"' in queue and f"/files/{occupancy.pk}/inspection/" in queue
    file_page = applicant.get(f"/files/{occupancy.pk}/")
    assert b'id="inspection-confirm"' in file_page.content and b'id="inspection-ask"' in file_page.content
    assert applicant.get(f"/files/{occupancy.pk}/inspection/").status_code == 302  # the owner's view is the file page
    applicant.post(f"/files/{occupancy.pk}/inspection/{inspection.pk}/confirm/")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CONFIRMED

    page = inspector.get(f"/files/{occupancy.pk}/inspection/")
    html = page.content.decode()
    assert 'accept="image/*"' in html and 'capture="environment"' in html and 'id="report-close"' in html
    response = inspector.post(
        f"/files/{occupancy.pk}/inspection/{inspection.pk}/photos/",
        {"photo": photo_upload(), "caption": "Façade", "latitude": "33.59", "longitude": "-7.62", "accuracy_m": "8"},
    )
    assert response.status_code == 302 and inspection.photos.count() == 1
    items = list(occupancy.procedure.inspection_checklist.values_list("code", flat=True))
    report = {f"result_{code}": "conform" for code in items}
    report.update({"remarks": "RAS", "verdict": "conform", "deviations": "", "close": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        inspector.post(f"/files/{occupancy.pk}/inspection/{inspection.pk}/report/", report)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED and inspection.verdict == "conform"

    file_page = applicant.get(f"/files/{occupancy.pk}/").content.decode()  # type: ignore[assignment]
    assert 'id="inspection-verdict"' in file_page and 'id="inspection-report-download"' in file_page
    assert "Télécharger le rapport signé" in file_page  # the inspector's signature is applied
    pdf = applicant.get(f"/files/{occupancy.pk}/inspection/{inspection.pk}/report.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    photo = inspection.photos.get()
    image = applicant.get(f"/files/{occupancy.pk}/inspection/{inspection.pk}/photos/{photo.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"


def test_bad_input_is_a_message_and_changes_nothing(occupancy: Dossier, staff: dict[str, Any]) -> None:
    desk = client_for(staff["desk_agent"])
    for data in (
        {"starts_at": "not a date", "duration_minutes": "60"},
        {"starts_at": local(in_days(-2)), "duration_minutes": "60"},
        {"starts_at": local(in_days(2)), "duration_minutes": "9999"},
    ):
        response = desk.post(f"/files/{occupancy.pk}/inspection/propose/", data, follow=True)
        assert response.status_code == 200
        assert any(message.level_tag == "error" for message in response.context["messages"])
    assert not Inspection.objects.exists()
    stranger = client_for(occupancy.applicant)
    assert stranger.post(f"/files/{occupancy.pk}/inspection/propose/", {}).status_code == 404  # not the staff
    inspection = Inspection.objects.create(
        dossier=occupancy, round_number=1, starts_at=in_days(2), proposed_by=staff["desk_agent"]
    )
    inspector = client_for(staff["inspector"])
    response = inspector.post(  # a photo on an inspection the applicant has not confirmed
        f"/files/{occupancy.pk}/inspection/{inspection.pk}/photos/",
        {"photo": photo_upload(jpeg_with_gps())},
        follow=True,
    )
    assert any(message.level_tag == "error" for message in response.context["messages"])
    assert not inspection.photos.exists()
    assert desk.get(f"/files/{occupancy.pk}/inspection/999999/report.pdf").status_code == 404


def test_the_pages_in_arabic_right_to_left(occupancy: Dossier, staff: dict[str, Any]) -> None:
    from permits.inspections import services
    from tests.permits.factories import ADDRESS

    services.inspection_propose(actor=staff["desk_agent"], address=ADDRESS, dossier=occupancy, starts_at=in_days(3))
    office = client_for(staff["desk_agent"], "ar").get(f"/files/{occupancy.pk}/inspection/").content.decode()
    assert 'dir="rtl"' in office and "المعاينة" in office
    applicant = client_for(occupancy.applicant, "ar").get(f"/files/{occupancy.pk}/").content.decode()
    assert 'dir="rtl"' in applicant and "تأكيد هذا الموعد" in applicant
