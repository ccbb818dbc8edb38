"""The plan review's JSON API, route by route: who sees and who writes (the applicant reads their own files' plans,
a member only the files dispatched to their agency, anyone else gets a 404), every bad input a 400 problem, the
latest-version rule, measurements computed by the server from the page's scale, the remark made from an
annotation, the carry-forward to a revised version and the remark that closes only once its annotations are."""

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from permits.models import AuditEvent, DossierStatus, PlanAnnotation
from tests.documents.files import image_bytes, pdf_bytes
from tests.permits.factories import DossierFactory, UserFactory, advance
from tests.permits_api.conftest import assert_problem
from tests.plans.conftest import A1_LANDSCAPE, plan_pdf, plan_upload

pytestmark = pytest.mark.django_db

MM = 72 / 25.4  # points per millimetre: 10 m at 1:100 is 100 mm of paper
WALL = [[200.0, 300.0], [200.0 + 100 * MM, 300.0]]
ROOM = [[500.0, 500.0], [500 + 60 * MM, 500.0], [500 + 60 * MM, 500 + 40 * MM], [500.0, 500 + 40 * MM]]


def annotations_url(document: Any) -> str:
    return f"/api/plans/{document if isinstance(document, int) else document.pk}/annotations/"


def calibration_url(document: Any, page: int = 1) -> str:
    return f"/api/plans/{document if isinstance(document, int) else document.pk}/calibrations/{page}/"


def annotate(client: Any, document: Any, **body: Any) -> Any:
    return client.post(annotations_url(document), {"page": 1, **body}, format="json")


def test_the_plans_of_a_file_and_who_sees_them(reviewed: dict[str, Any], as_token: Any) -> None:
    dossier, plan = reviewed["dossier"], reviewed["plan"]
    owner = as_token(dossier.applicant).get(f"/api/dossiers/{dossier.pk}/plans/")
    assert owner.status_code == 200, owner.content
    chain = next(item for item in owner.json()["plans"] if item["versions"][0]["document"] == plan.pk)
    assert chain["document_type"] == "other"
    assert chain["versions"] == [
        {
            "document": plan.pk,
            "version_number": 1,
            "uploaded_at": chain["versions"][0]["uploaded_at"],
            "round_number": 0,
            "media_type": "application/pdf",
            "page_count": 2,
            "download_url": f"/api/dossiers/{dossier.pk}/documents/{plan.pk}/download/",
            "view_url": f"/api/dossiers/{dossier.pk}/documents/{plan.pk}/download/",
            "view_media_type": "application/pdf",
            "viewer_url": f"/files/{dossier.pk}/plans/?document={plan.pk}",
            "opening_url": f"/api/plans/{plan.pk}/opening/",
        }
    ]
    assert all(item["document_type"] != "signed-application" for item in owner.json()["plans"])
    for reviewer in ("desk_agent", "member"):
        listed = as_token(reviewed[reviewer]).get(f"/api/dossiers/{dossier.pk}/plans/").json()["plans"]
        version = next(item for item in listed if item["versions"][0]["document"] == plan.pk)["versions"][0]
        assert version["viewer_url"] == f"/office/files/{dossier.pk}/plans/?document={plan.pk}"
    for outsider in (reviewed["other_member"], UserFactory.create()):
        client = as_token(outsider)
        assert_problem(client.get(f"/api/dossiers/{dossier.pk}/plans/"), 404)
        assert_problem(client.get(annotations_url(plan)), 404)
        assert_problem(client.get(calibration_url(plan)), 404)
        assert_problem(annotate(client, plan, kind="line", points=WALL), 404)


def test_reviewers_annotate_in_their_colour_and_the_applicant_reads(reviewed: dict[str, Any], as_token: Any) -> None:
    plan = reviewed["plan"]
    colours = {
        "desk_agent": ("desk", "#1d4ed8"),
        "commission_president": ("president", "#7c3aed"),
        "member": ("member", "#b91c1c"),
    }
    created = {}
    for who, (role, colour) in colours.items():
        response = annotate(as_token(reviewed[who]), plan, kind="cloud", points=ROOM, text=f"by {who}")
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["author"]["role"], body["colour"]) == (role, colour)
        assert body["author"]["id"] == reviewed[who].pk and body["author"]["display_name"]
        assert body["status"] == "open" and body["measurement"] is None and body["carried_from"] is None
        assert body["points"] == ROOM and body["document"] == plan.pk and body["page"] == 1
        created[who] = body["id"]
    stamp = annotate(
        as_token(reviewed["desk_agent"]), plan, page=2, kind="stamp", points=[[100, 100]], stamp="approved"
    )
    assert stamp.status_code == 201 and stamp.json()["stamp"] == "approved"

    owner = as_token(reviewed["dossier"].applicant)
    assert_problem(annotate(owner, plan, kind="line", points=WALL), 403)  # the applicant's side is read-only
    page_1 = owner.get(annotations_url(plan), {"page": 1}).json()["annotations"]
    assert [item["id"] for item in page_1] == list(created.values())
    assert [item["id"] for item in owner.get(annotations_url(plan)).json()["annotations"]][-1] == stamp.json()["id"]
    assert owner.get(annotations_url(plan), {"page": 2}).json()["annotations"][0]["stamp"] == "approved"
    event = AuditEvent.objects.filter(action="plan.annotation_created").order_by("sequence").first()
    assert event is not None and event.payload["annotation"] == created["desk_agent"]
    assert AuditEvent.objects.filter(action="permission.refused", payload__action="plan.annotate").exists()


def test_measurements_come_from_the_page_scale(reviewed: dict[str, Any], as_token: Any) -> None:
    plan = reviewed["plan"]
    desk = as_token(reviewed["desk_agent"])
    assert desk.get(calibration_url(plan)).status_code == 204  # no scale yet: an existing page, no content
    wall = annotate(desk, plan, kind="distance", points=WALL).json()
    room = annotate(desk, plan, kind="area", points=ROOM).json()
    corner = annotate(desk, plan, kind="angle", points=[[300, 0], [200, 0], [200, 100]]).json()
    assert wall["measurement"] is None and room["measurement"] is None
    assert corner["measurement"] == {"kind": "angle", "value": pytest.approx(90.0), "unit": "deg"}

    declared = desk.put(calibration_url(plan), {"method": "declared", "scale_denominator": 100}, format="json")
    assert declared.status_code == 200, declared.content
    assert declared.json()["metres_per_point"] == pytest.approx(100 * 0.0254 / 72)
    assert declared.json()["scale_denominator"] == 100 and declared.json()["points"] is None
    measured = {item["id"]: item["measurement"] for item in desk.get(annotations_url(plan)).json()["annotations"]}
    assert measured[wall["id"]] == {"kind": "distance", "value": pytest.approx(10.0, rel=1e-9), "unit": "m"}
    assert measured[room["id"]]["value"] == pytest.approx(24.0) and measured[room["id"]]["unit"] == "m2"
    assert measured[room["id"]]["perimeter"] == pytest.approx(20.0)

    # calibrated on the wall itself, declared 9.5 m: every length scales with it
    calibrated = desk.put(
        calibration_url(plan), {"method": "calibrated", "points": WALL, "length_m": 9.5}, format="json"
    )
    assert calibrated.status_code == 200, calibrated.content
    assert calibrated.json()["method"] == "calibrated" and calibrated.json()["length_m"] == 9.5
    assert desk.get(calibration_url(plan)).json()["points"] == WALL
    moved = desk.patch(
        f"/api/annotations/{wall['id']}/", {"points": [WALL[0], [WALL[0][0], WALL[0][1] + 50 * MM]]}, format="json"
    )
    assert moved.json()["measurement"]["value"] == pytest.approx(4.75)  # half the wall, at the new scale
    # page 2 has a scale of its own (none yet); a page the plan does not have is a 404
    assert desk.get(calibration_url(plan, 2)).status_code == 204
    assert_problem(
        desk.put(calibration_url(plan, 3), {"method": "declared", "scale_denominator": 50}, format="json"), 404
    )
    owner = as_token(reviewed["dossier"].applicant)
    assert owner.get(calibration_url(plan)).json()["method"] == "calibrated"
    assert_problem(
        owner.put(calibration_url(plan), {"method": "declared", "scale_denominator": 50}, format="json"), 403
    )
    assert AuditEvent.objects.filter(action="plan.calibration_set").count() == 2


BAD_ANNOTATIONS: list[tuple[dict[str, Any], str]] = [
    ({"kind": "line"}, "points"),
    ({"kind": "hexagon", "points": WALL}, "kind"),
    ({"kind": "line", "points": [[1, 2, 3], [4, 5]]}, "points"),
    ({"kind": "line", "points": [[1, 2], ["x", 5]]}, "points"),
    ({"kind": "line", "points": "1,2 3,4"}, "points"),
    ({"kind": "line", "points": [[0, 0]]}, "points"),
    ({"kind": "line", "points": [[0, 0], [5000, 10]]}, "points"),
    ({"kind": "polygon", "points": [[0, 0], [1, 1]]}, "points"),
    ({"kind": "line", "points": [[0, 0], [1, 1]] * 300}, "points"),
    ({"kind": "line", "points": WALL, "page": 0}, "page"),
    ({"kind": "line", "points": WALL, "page": 3}, "page"),
    ({"kind": "line", "points": WALL, "page": "one"}, "page"),
    ({"kind": "text", "points": [[10, 10]]}, "text"),
    ({"kind": "text", "points": [[10, 10]], "text": "x" * 4001}, "text"),
    ({"kind": "stamp", "points": [[10, 10]]}, "stamp"),
    ({"kind": "stamp", "points": [[10, 10]], "stamp": "maybe"}, "stamp"),
    ({"kind": "line", "points": WALL, "stamp": "approved"}, "stamp"),
    ({"kind": "line", "points": WALL, "remark": 10**9}, "remark"),
    ({"kind": "line", "points": WALL, "remark": "first"}, "remark"),
]
BAD_CALIBRATIONS: list[tuple[dict[str, Any], str]] = [
    ({}, "method"),
    ({"method": "guessed"}, "method"),
    ({"method": "declared"}, "scale_denominator"),
    ({"method": "declared", "scale_denominator": 0}, "scale_denominator"),
    ({"method": "declared", "scale_denominator": 1.5}, "scale_denominator"),
    ({"method": "calibrated", "length_m": 10}, "points"),
    ({"method": "calibrated", "points": WALL}, "length_m"),
    ({"method": "calibrated", "points": WALL, "length_m": -1}, "length_m"),
    ({"method": "calibrated", "points": WALL, "length_m": "ten"}, "length_m"),
    ({"method": "calibrated", "points": [WALL[0], WALL[0]], "length_m": 10}, "points"),
    ({"method": "calibrated", "points": [WALL[0]], "length_m": 10}, "points"),
    ({"method": "calibrated", "points": [[0, 0], [9000, 0]], "length_m": 10}, "points"),
]


def test_bad_input_is_a_400_problem_naming_the_field(reviewed: dict[str, Any], as_token: Any) -> None:
    plan = reviewed["plan"]
    desk = as_token(reviewed["desk_agent"])
    for body, field in BAD_ANNOTATIONS:
        problem = assert_problem(desk.post(annotations_url(plan), {"page": 1, **body}, format="json"), 400)
        assert field in problem["errors"], (body, problem)
    for body, field in BAD_CALIBRATIONS:
        problem = assert_problem(desk.put(calibration_url(plan), body, format="json"), 400)
        assert field in problem["errors"], (body, problem)
    for raw in ('{"page": 1, "kind": "line", "points": [[0, 0], [NaN, 1]]}', "{not json", "[]"):
        response = desk.generic("POST", annotations_url(plan), raw, content_type="application/json")
        assert_problem(response, 400)
    assert_problem(desk.get(annotations_url(plan), {"page": "two"}), 400)
    line = annotate(desk, plan, kind="line", points=WALL).json()
    for body in ({"status": "withdrawn"}, {"status": "done"}, {"points": [[0, 0]]}, {"points": [[0, 0], [1e9, 0]]}):
        assert_problem(desk.patch(f"/api/annotations/{line['id']}/", body, format="json"), 400)
    assert_problem(desk.post(f"/api/annotations/{line['id']}/remark/", {}, format="json"), 400)
    assert_problem(desk.get(annotations_url(10**9)), 404)
    assert_problem(desk.patch("/api/annotations/999999999/", {"text": "x"}, format="json"), 404)
    assert PlanAnnotation.objects.filter(document=plan).count() == 1  # nothing stored by the refused requests


def test_update_resolve_reopen_withdraw(reviewed: dict[str, Any], as_token: Any, as_session: Any) -> None:
    plan = reviewed["plan"]
    member = as_session(reviewed["member"])
    created = member.post(annotations_url(plan), {"page": 1, "kind": "text", "points": [[50, 60]], "text": "Setback?"})
    assert created.status_code == 201, created.content
    url = f"/api/annotations/{created.json()['id']}/"
    president = as_token(reviewed["commission_president"])
    assert_problem(president.patch(url, {"text": "mine now"}, format="json"), 403)  # neither author nor desk
    edited = member.patch(url, {"text": "Setback of 3 m?", "points": [[70, 80]]})
    assert edited.status_code == 200 and edited.json()["text"] == "Setback of 3 m?"
    assert edited.json()["points"] == [[70.0, 80.0]]
    desk = as_token(reviewed["desk_agent"])
    assert desk.patch(url, {"status": "resolved"}, format="json").json()["status"] == "resolved"
    assert member.patch(url, {"status": "open"}).json()["status"] == "open"
    csrf_less = as_token(reviewed["member"])
    assert_problem(president.delete(url), 403)
    withdrawn = csrf_less.delete(url)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert_problem(desk.patch(url, {"status": "resolved"}, format="json"), 409)
    assert_problem(desk.delete(url), 409)
    listed = desk.get(annotations_url(plan)).json()["annotations"]
    assert [(item["id"], item["status"]) for item in listed] == [(created.json()["id"], "withdrawn")]
    actions = list(
        AuditEvent.objects.filter(action__startswith="plan.").order_by("sequence").values_list("action", flat=True)
    )
    assert actions == ["plan.annotation_created", *["plan.annotation_updated"] * 3, "plan.annotation_withdrawn"]


def test_a_session_write_needs_the_csrf_token(reviewed: dict[str, Any], as_session: Any) -> None:
    session = as_session(reviewed["desk_agent"])
    refused = session.client.post(
        annotations_url(reviewed["plan"]),
        json.dumps({"page": 1, "kind": "line", "points": WALL}),
        content_type="application/json",
    )
    assert_problem(refused, 403)
    assert not PlanAnnotation.objects.exists()


def test_remark_from_an_annotation_carry_forward_and_the_close_guard(reviewed: dict[str, Any], as_token: Any) -> None:
    dossier, plan = reviewed["dossier"], reviewed["plan"]
    desk, member = as_token(reviewed["desk_agent"]), as_token(reviewed["member"])
    owner = as_token(dossier.applicant)
    desk.put(calibration_url(plan), {"method": "declared", "scale_denominator": 100}, format="json")
    wall = annotate(member, plan, kind="distance", points=WALL, text="This wall is too long").json()
    note = annotate(desk, plan, kind="rectangle", points=ROOM[::2]).json()
    settled = annotate(desk, plan, kind="line", points=WALL).json()
    desk.patch(f"/api/annotations/{settled['id']}/", {"status": "resolved"}, format="json")
    dropped = annotate(desk, plan, kind="line", points=WALL).json()
    desk.delete(f"/api/annotations/{dropped['id']}/")

    assert_problem(member.post(f"/api/annotations/{wall['id']}/remark/", {"text": "x"}, format="json"), 403)
    made = desk.post(f"/api/annotations/{wall['id']}/remark/", {"text": "Shorten the north wall."}, format="json")
    assert made.status_code == 201, made.content
    remark = made.json()
    assert remark["location"] == {"document": plan.pk, "page": 1, "annotation": wall["id"]}
    assert remark["document_reference"] == str(plan.pk)
    assert_problem(desk.post(f"/api/annotations/{wall['id']}/remark/", {"text": "again"}, format="json"), 409)
    linked = annotate(desk, plan, kind="cloud", points=ROOM, remark=remark["id"]).json()
    assert linked["remark"] == remark["id"]
    listed = owner.get(f"/api/dossiers/{dossier.pk}/remarks/").json()
    assert listed[0]["annotations"] == [wall["id"], linked["id"]]
    assert owner.get(annotations_url(plan)).json()["annotations"][0]["remark"] == remark["id"]

    # the desk sends the remarks; the applicant uploads the revised plan (one page only) and replies
    assert desk.post(f"/api/dossiers/{dossier.pk}/remarks/send/", {}, format="json").status_code == 200
    revised = owner.post(
        f"/api/dossiers/{dossier.pk}/documents/",
        {
            "document_type": "revised-plan",
            "file": SimpleUploadedFile("plan-v2.pdf", plan_pdf(A1_LANDSCAPE)),
            "supersedes": plan.pk,
        },
        format="multipart",
    )
    assert revised.status_code == 201, revised.content
    new = revised.json()["id"]
    carried = owner.get(annotations_url(new)).json()["annotations"]
    assert [(item["carried_from"], item["status"]) for item in carried] == [
        (wall["id"], "open"),
        (note["id"], "open"),
        (settled["id"], "resolved"),
        (linked["id"], "open"),
    ]  # the withdrawn one stays behind
    assert carried[0]["points"] == WALL and carried[0]["remark"] == remark["id"]
    assert carried[0]["measurement"]["value"] == pytest.approx(10.0)
    assert carried[0]["colour"] == "#b91c1c"  # its author's colour, still
    assert owner.get(calibration_url(new)).json()["scale_denominator"] == 100
    event = AuditEvent.objects.get(action="plan.annotations_carried_forward")
    assert event.payload == {"from_document": plan.pk, "document": new, "annotations": 4, "calibrations": 1}
    chain = next(
        item
        for item in owner.get(f"/api/dossiers/{dossier.pk}/plans/").json()["plans"]
        if item["versions"][0]["document"] == plan.pk
    )
    assert [version["document"] for version in chain["versions"]] == [plan.pk, new]
    assert [version["page_count"] for version in chain["versions"]] == [2, 1]

    replied = owner.post(
        f"/api/dossiers/{dossier.pk}/remarks/{remark['id']}/reply/",
        {"text": "Done.", "attachments": [new]},
        format="json",
    )
    assert replied.status_code == 201, replied.content

    # the older version is frozen: its marks were carried forward
    assert_problem(annotate(desk, plan, kind="line", points=WALL), 409)
    assert_problem(desk.patch(f"/api/annotations/{wall['id']}/", {"status": "resolved"}, format="json"), 409)
    assert_problem(desk.put(calibration_url(plan), {"method": "declared", "scale_denominator": 50}, format="json"), 409)

    close_url = f"/api/dossiers/{dossier.pk}/remarks/{remark['id']}/close/"
    refused = assert_problem(desk.post(close_url, {}, format="json"), 409)
    assert refused["open_annotations"] == [carried[0]["id"], carried[3]["id"]]
    desk.patch(f"/api/annotations/{carried[0]['id']}/", {"status": "resolved"}, format="json")
    assert_problem(desk.post(close_url, {}, format="json"), 409)
    desk.delete(f"/api/annotations/{carried[3]['id']}/")
    closed = desk.post(close_url, {}, format="json")
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == "closed"


def test_the_plan_download_answers_ranges_with_the_same_access_checks(
    reviewed: dict[str, Any], as_token: Any, as_session: Any
) -> None:
    dossier, plan = reviewed["dossier"], reviewed["plan"]
    url = f"/api/dossiers/{dossier.pk}/documents/{plan.pk}/download/"
    size = plan.stored_document.size_bytes
    for client in (
        as_token(dossier.applicant),
        as_token(reviewed["member"]),
        as_session(reviewed["desk_agent"]).client,
    ):
        partial = client.get(url, HTTP_RANGE="bytes=0-7")
        assert partial.status_code == 206, partial.content
        assert partial["Content-Range"] == f"bytes 0-7/{size}"
        head = b"".join(partial.streaming_content)
        assert len(head) == 8 and head.startswith(b"%PDF-")
        assert_problem(client.get(url, HTTP_RANGE=f"bytes={size}-"), 416)
    web = as_session(dossier.applicant).client.get(
        f"/files/{dossier.pk}/documents/{plan.pk}/", headers={"Range": "bytes=-4"}
    )
    assert web.status_code == 206 and web["Content-Range"] == f"bytes {size - 4}-{size - 1}/{size}"
    for outsider in (reviewed["other_member"], UserFactory.create()):
        assert_problem(as_token(outsider).get(url, HTTP_RANGE="bytes=0-7"), 404)


def test_the_opening_of_a_plan_is_asked_in_one_request_of_several_ranges(
    reviewed: dict[str, Any], as_token: Any, commune: Any, staff: dict[str, Any]
) -> None:
    dossier, plan = reviewed["dossier"], reviewed["plan"]
    url = f"/api/plans/{plan.pk}/opening/"
    size = plan.stored_document.size_bytes
    for reader in (dossier.applicant, reviewed["member"], reviewed["desk_agent"]):
        answer = as_token(reader).get(url, {"page": 2})
        assert answer.status_code == 200, answer.content
        opening = answer.json()
        assert opening["size_bytes"] == size and opening["ranges"][0][0] == 0
        assert opening["ranges"][-1][1] == size - 1  # the end: where the cross-reference table is
    ranges = ",".join(f"{start}-{end}" for start, end in opening["ranges"])
    download = f"/api/dossiers/{dossier.pk}/documents/{plan.pk}/download/"
    answered = as_token(dossier.applicant).get(download, HTTP_RANGE=f"bytes={ranges}")
    assert answered.status_code == 206  # one range (a small plan is one chunk) or several (multipart)
    desk = as_token(reviewed["desk_agent"])
    assert_problem(desk.get(url, {"page": 0}), 400)
    assert_problem(desk.get(url, {"page": 3}), 404)  # the plan has 2 pages
    for outsider in (reviewed["other_member"], UserFactory.create()):
        assert_problem(as_token(outsider).get(url), 404)
    scanned = DossierFactory.create(commune=commune)
    scan = plan_upload(scanned, image_bytes("PNG", size=(400, 300)))
    advance(scanned, DossierStatus.UNDER_INSTRUCTION)
    answer = as_token(staff["desk_agent"]).get(f"/api/plans/{scan.pk}/opening/")
    assert answer.status_code == 200 and answer.json()["ranges"] == []  # an image opens as it is


def test_a_raster_plan_is_one_page_of_its_pixels(commune: Any, staff: dict[str, Any], as_token: Any) -> None:
    dossier = DossierFactory.create(commune=commune)
    scan = plan_upload(dossier, image_bytes("PNG", size=(2000, 1400)))
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    desk = as_token(staff["desk_agent"])
    listed = desk.get(f"/api/dossiers/{dossier.pk}/plans/").json()["plans"]
    version = next(item for item in listed if item["versions"][0]["document"] == scan.pk)["versions"][0]
    assert (version["media_type"], version["page_count"]) == ("image/png", 1)
    inside = annotate(desk, scan, kind="line", points=[[0, 0], [1999, 1399]])
    assert inside.status_code == 201, inside.content
    assert_problem(annotate(desk, scan, kind="line", points=[[0, 0], [2500, 10]]), 400)
    assert_problem(annotate(desk, scan, page=2, kind="line", points=[[0, 0], [10, 10]]), 400)
    declared = desk.put(calibration_url(scan), {"method": "declared", "scale_denominator": 100}, format="json")
    assert declared.status_code == 200
    copy = desk.get(f"/api/plans/{scan.pk}/annotated.pdf")
    assert copy.status_code == 200 and copy.content.startswith(b"%PDF-")


def test_a_tiff_scan_opens_in_the_viewer_as_a_png_of_the_same_pixels(
    commune: Any, staff: dict[str, Any], as_token: Any
) -> None:
    dossier = DossierFactory.create(commune=commune)
    scan = plan_upload(dossier, image_bytes("TIFF", size=(1200, 800)))
    pdf = plan_upload(dossier, pdf_bytes())
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    desk = as_token(staff["desk_agent"])
    listed = desk.get(f"/api/dossiers/{dossier.pk}/plans/").json()["plans"]
    assert {item["label"] for item in listed} == {"Autres documents"}  # named for people, never the raw code
    versions = {item["versions"][0]["document"]: item["versions"][0] for item in listed}
    tiff, stored_pdf = versions[scan.pk], versions[pdf.pk]
    assert (tiff["media_type"], tiff["view_media_type"]) == ("image/tiff", "image/png")
    assert (stored_pdf["view_url"], stored_pdf["view_media_type"]) == (stored_pdf["download_url"], "application/pdf")
    shown = desk.get(tiff["view_url"])
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    with Image.open(io.BytesIO(shown.content)) as picture:
        assert picture.size == (1200, 800)  # one viewer point per stored pixel, as the page box says
    assert_problem(desk.get(f"/api/plans/{pdf.pk}/view.png"), 404)
    assert_problem(as_token(UserFactory.create()).get(tiff["view_url"]), 404)
