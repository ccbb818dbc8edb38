"""The inspection report: the catalogue's checklist answered item by item, remarks, photos stored as immutable
documents with their EXIF GPS and the browser's position, the verdict, then the report closed: rendered as a
bilingual PDF, stamped, signed by the inspector (PAdES, verified by pdfsig) and immutable from then on."""

import os
from pathlib import Path
from typing import Any

import pytest

from gis_core.documents.errors import DocumentError
from gis_core.documents.models import StoredDocument
from gis_core.documents.selectors import document_open
from gis_core.signing.pki import DevelopmentPki
from gis_core.signing.services import document_verify
from permits.errors import PermissionDenied
from permits.inspections import selectors, services
from permits.inspections.errors import InspectionConflict, InvalidInspectionInput
from permits.inspections.models import (
    ChecklistAnswer,
    ClosedInspectionChanged,
    InspectionPhoto,
    InspectionStatus,
    ItemResult,
)
from permits.inspections.services import ItemAnswer
from permits.models import AuditEvent, Dossier
from tests.inspections.conftest import (
    CASABLANCA,
    all_conform,
    closed_inspection,
    confirmed_inspection,
    jpeg_with_gps,
    photo_upload,
)
from tests.permits.factories import ADDRESS, UserFactory, upload_file
from tests.signing.conftest import pdfsig

pytestmark = pytest.mark.django_db


def test_photos_keep_their_exif_and_browser_positions(occupancy: Dossier, staff: dict[str, Any]) -> None:
    inspection = confirmed_inspection(occupancy, staff)
    inspector = staff["inspector"]
    photo = services.inspection_photo_add(
        actor=inspector,
        address=ADDRESS,
        inspection=inspection,
        uploaded_file=photo_upload(),
        latitude=33.59,
        longitude=-7.6201,
        accuracy_m=12.0,
        caption="Façade sud",
    )
    assert photo.exif_position is not None
    assert (round(photo.exif_position.y, 5), round(photo.exif_position.x, 5)) == (
        round(CASABLANCA[0], 5),
        round(CASABLANCA[1], 5),
    )
    assert photo.browser_position is not None
    assert (photo.browser_position.y, photo.browser_position.x, photo.browser_accuracy_m) == (33.59, -7.6201, 12.0)
    assert photo.position_source == "exif"  # where it was taken, rather than where it was sent from
    assert photo.document.kind == "image" and photo.document.sha256
    with pytest.raises(DocumentError):  # the stored photo is immutable
        StoredDocument.objects.filter(pk=photo.document.pk).update(original_filename="x.jpg")

    bare = services.inspection_photo_add(
        actor=inspector, address=ADDRESS, inspection=inspection, uploaded_file=photo_upload(jpeg_with_gps(gps=False))
    )
    assert bare.exif_position is None and bare.browser_position is None and bare.position_source == ""
    geojson = selectors.photos_geojson(inspection=inspection)
    assert [feature["properties"]["source"] for feature in geojson["features"]] == ["exif"]
    event = AuditEvent.objects.filter(dossier=occupancy, action="inspection.photo_added").first()
    assert event is not None and event.payload["sha256"] == photo.document.sha256


def test_bad_photos_and_positions_change_nothing(occupancy: Dossier, staff: dict[str, Any]) -> None:
    inspection = confirmed_inspection(occupancy, staff)
    inspector = staff["inspector"]
    with pytest.raises(DocumentError):  # a PDF is not a photo
        services.inspection_photo_add(
            actor=inspector, address=ADDRESS, inspection=inspection, uploaded_file=upload_file("x.pdf")
        )
    with pytest.raises(InvalidInspectionInput):
        services.inspection_photo_add(
            actor=inspector,
            address=ADDRESS,
            inspection=inspection,
            uploaded_file=photo_upload(),
            latitude=95.0,
            longitude=0.0,
        )
    with pytest.raises(InvalidInspectionInput):
        services.inspection_photo_add(
            actor=inspector, address=ADDRESS, inspection=inspection, uploaded_file=photo_upload(), latitude=33.0
        )
    with pytest.raises(PermissionDenied):  # the desk does not write the report
        services.inspection_photo_add(
            actor=staff["desk_agent"], address=ADDRESS, inspection=inspection, uploaded_file=photo_upload()
        )
    assert not InspectionPhoto.objects.exists()


def test_the_checklist_is_the_catalogues(occupancy: Dossier, staff: dict[str, Any]) -> None:
    inspection = confirmed_inspection(occupancy, staff)
    inspector = staff["inspector"]
    codes = [row.code for row in selectors.checklist_for(inspection=inspection)]
    assert codes[:3] == ["footprint", "height-floors", "setbacks"] and len(codes) == 8
    with pytest.raises(InvalidInspectionInput):
        services.inspection_report_save(
            actor=inspector, address=ADDRESS, inspection=inspection, answers={"swimming-pool": ItemAnswer("conform")}
        )
    with pytest.raises(InvalidInspectionInput):
        services.inspection_report_save(
            actor=inspector, address=ADDRESS, inspection=inspection, answers={"footprint": ItemAnswer("maybe")}
        )
    with pytest.raises(InvalidInspectionInput):  # a "not conform" item says what is not
        services.inspection_report_save(
            actor=inspector, address=ADDRESS, inspection=inspection, answers={"footprint": ItemAnswer("not_conform")}
        )
    with pytest.raises(InvalidInspectionInput):
        services.inspection_report_save(
            actor=inspector, address=ADDRESS, inspection=inspection, answers={}, verdict="perfect"
        )
    assert not ChecklistAnswer.objects.exists()
    services.inspection_report_save(
        actor=inspector,
        address=ADDRESS,
        inspection=inspection,
        answers={"footprint": ItemAnswer(ItemResult.CONFORM), "use": ItemAnswer(ItemResult.NOT_APPLICABLE, "empty")},
        remarks="Visite faite avec le propriétaire.",
    )
    with pytest.raises(InspectionConflict, match="every item"):  # six items unanswered, no verdict
        services.inspection_close(actor=inspector, address=ADDRESS, inspection=inspection)
    services.inspection_report_save(
        actor=inspector, address=ADDRESS, inspection=inspection, answers=all_conform(occupancy)
    )
    with pytest.raises(InspectionConflict, match="verdict"):
        services.inspection_close(actor=inspector, address=ADDRESS, inspection=inspection)
    services.inspection_report_save(
        actor=inspector, address=ADDRESS, inspection=inspection, answers={}, verdict="not_conform"
    )
    with pytest.raises(InspectionConflict, match="deviations"):
        services.inspection_close(actor=inspector, address=ADDRESS, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CONFIRMED and inspection.report is None


def test_an_unconfirmed_inspection_has_no_report(occupancy: Dossier, staff: dict[str, Any]) -> None:
    inspection = services.inspection_propose(
        actor=staff["desk_agent"], address=ADDRESS, dossier=occupancy, starts_at=confirmed_start()
    )
    with pytest.raises(InspectionConflict):
        services.inspection_report_save(
            actor=staff["inspector"], address=ADDRESS, inspection=inspection, answers=all_conform(occupancy)
        )
    other = UserFactory.create(username="inspector-elsewhere")
    with pytest.raises(PermissionDenied):  # an inspector of no commune of the file
        services.inspection_close(actor=other, address=ADDRESS, inspection=inspection)


def confirmed_start() -> Any:
    from tests.inspections.conftest import in_days

    return in_days(2)


def test_closed_report_is_a_signed_pdf_and_never_changes(
    occupancy: Dossier,
    staff: dict[str, Any],
    pki: DevelopmentPki,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    inspection = confirmed_inspection(occupancy, staff)
    inspector = staff["inspector"]
    services.inspection_photo_add(
        actor=inspector, address=ADDRESS, inspection=inspection, uploaded_file=photo_upload(), caption="Façade"
    )
    answers = all_conform(occupancy)
    answers["facades"] = ItemAnswer(ItemResult.NOT_CONFORM, "Garde-corps du 2e étage en aluminium, pas en fer forgé")
    services.inspection_report_save(
        actor=inspector,
        address=ADDRESS,
        inspection=inspection,
        answers=answers,
        remarks="Visite en présence de l'architecte.",
        verdict="minor_deviations",
        deviations="Garde-corps : matériau différent.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_close(actor=inspector, address=ADDRESS, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED and inspection.closed_by == inspector
    latest = selectors.report_latest_version(inspection=inspection)
    assert latest is not None and latest.version == 3  # rendered, stamped (QR code), signed by the inspector
    report = document_verify(document=latest)
    assert report.valid and [signature.field_name for signature in report.signatures] == ["inspector"]
    path = tmp_path / "report.pdf"
    with document_open(document=latest) as handle:
        path.write_bytes(handle.read())
    if os.environ.get("WEB_SCREENSHOT_DIR"):  # for a person to look at the report
        (Path(os.environ["WEB_SCREENSHOT_DIR"]) / "inspection-report.pdf").write_bytes(path.read_bytes())
    checked = pdfsig(path, pki)
    assert "Signature is Valid" in checked and "Certificate is Trusted" in checked
    assert AuditEvent.objects.filter(dossier=occupancy, action="inspection.report_signed").count() == 1
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(str(path)).pages)
    assert "Conforme avec écarts mineurs" in text and "fer forgé" in text and str(occupancy.reference) in text

    # closed: nothing of the report changes any more, through the services or around them
    with pytest.raises(InspectionConflict):
        services.inspection_report_save(
            actor=inspector, address=ADDRESS, inspection=inspection, answers={}, verdict="conform"
        )
    with pytest.raises(InspectionConflict):
        services.inspection_photo_add(
            actor=inspector, address=ADDRESS, inspection=inspection, uploaded_file=photo_upload()
        )
    with pytest.raises(InspectionConflict):
        services.inspection_cancel(actor=staff["desk_agent"], address=ADDRESS, inspection=inspection, reason="x")
    with pytest.raises(InspectionConflict, match="new round"):  # the report of this round stands
        services.inspection_propose(
            actor=staff["desk_agent"], address=ADDRESS, dossier=occupancy, starts_at=confirmed_start()
        )
    inspection.verdict = "conform"
    with pytest.raises(ClosedInspectionChanged):
        inspection.save()
    answer = ChecklistAnswer.objects.filter(inspection=inspection).first()
    assert answer is not None
    answer.result = ItemResult.CONFORM
    with pytest.raises(ClosedInspectionChanged):
        answer.save()
    with pytest.raises(ClosedInspectionChanged):
        answer.delete()
    inspection.refresh_from_db()
    assert inspection.verdict == "minor_deviations"
    assert [event for event in ("inspection.closed",) if AuditEvent.objects.filter(action=event).exists()]


def test_an_inspector_without_a_certificate_leaves_a_stamped_unsigned_report(
    occupancy: Dossier, staff: dict[str, Any], commune: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from permits.models import Role, RoleMembership

    uncertified = UserFactory.create(username="inspector-without-certificate")
    RoleMembership.objects.create(user=uncertified, role=Role.INSPECTOR, territory=commune)
    inspection = confirmed_inspection(occupancy, staff)
    services.inspection_report_save(
        actor=uncertified, address=ADDRESS, inspection=inspection, answers=all_conform(occupancy), verdict="conform"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_close(actor=uncertified, address=ADDRESS, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CLOSED
    assert not selectors.report_is_signed(inspection=inspection)
    latest = selectors.report_latest_version(inspection=inspection)
    assert latest is not None and latest.version == 2  # rendered, then stamped with its QR code
    assert not AuditEvent.objects.filter(dossier=occupancy, action="inspection.report_signed").exists()


def test_a_report_whose_signature_task_was_lost_is_signed_by_the_beat_job(
    occupancy: Dossier, staff: dict[str, Any], settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The broker is down when the closing commits: the signature's task is never enqueued (the on-commit callbacks
    are dropped here). The beat job, like the commissions' one, enqueues it again once it is stale, and only once."""
    from permits.inspections.tasks import inspection_reports_resume_task

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["permits.inspections.tasks.inspection_reports_resume_task"] <= 600
    with django_capture_on_commit_callbacks(execute=False) as dropped:
        inspection = closed_inspection(occupancy, staff)
    assert dropped and not selectors.report_is_signed(inspection=inspection)

    with django_capture_on_commit_callbacks(execute=True):
        assert inspection_reports_resume_task(stale_after_seconds=3600) == 0  # not stale yet: its task may run
    assert not selectors.report_is_signed(inspection=inspection)
    with django_capture_on_commit_callbacks(execute=True):
        assert inspection_reports_resume_task(stale_after_seconds=0) == 1
    assert selectors.report_is_signed(inspection=inspection)
    assert AuditEvent.objects.filter(dossier=occupancy, action="inspection.report_signed").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert inspection_reports_resume_task(stale_after_seconds=0) == 0  # signed: nothing left to do


def test_a_photo_taken_upright_stands_upright_in_the_report(
    occupancy: Dossier, staff: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A phone held upright stores a landscape image (64 by 48) tagged "turn 90° clockwise" (EXIF orientation 6):
    the report shows it upright (48 by 64), while the stored original keeps its bytes and its tags."""
    import io

    from PIL import Image
    from PIL.ExifTags import Base
    from pypdf import PdfReader

    original = Image.open(io.BytesIO(jpeg_with_gps()))
    exif = original.getexif()
    exif[Base.Orientation] = 6
    buffer = io.BytesIO()
    original.save(buffer, "JPEG", exif=exif)
    upright = buffer.getvalue()
    inspection = confirmed_inspection(occupancy, staff)
    services.inspection_photo_add(
        actor=staff["inspector"], address=ADDRESS, inspection=inspection, uploaded_file=photo_upload(upright)
    )
    services.inspection_report_save(
        actor=staff["inspector"],
        address=ADDRESS,
        inspection=inspection,
        answers=all_conform(occupancy),
        verdict="conform",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.inspection_close(actor=staff["inspector"], address=ADDRESS, inspection=inspection)
    inspection.refresh_from_db()
    latest = selectors.report_latest_version(inspection=inspection)
    assert latest is not None
    with document_open(document=latest) as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    pictures = [picture.image for page in reader.pages for picture in page.images if picture.image is not None]
    sizes = [picture.size for picture in pictures if picture.size[0] < 100]
    assert (48, 64) in sizes and (64, 48) not in sizes
    photo = InspectionPhoto.objects.get(inspection=inspection)
    with document_open(document=photo.document) as handle:
        assert handle.read() == upright  # the evidence as taken
