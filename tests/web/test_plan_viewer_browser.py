"""The plan-review pages in Chromium (issue 12), on the test plan of `tests/plans/plan_files.py` (an A1 sheet at
1:100 with a 10.00 m wall and a 6 m x 4 m room, drawn as vector lines) stored as the file's plans: the reviewer
declares the scale and measures the wall, calibrates on a known dimension and measures the room's area (each within
0.5% of the truth, as the server computes it), annotates, finds the annotations again after a reload, makes a remark
from one and shows the remark's annotations; the applicant reads the same plan without any tool, in Arabic with the
page mirrored and the drawing left to right, and on a phone. No console error, no CSP violation, no request leaves
the site. Set `WEB_SCREENSHOT_DIR` to keep screenshots.
"""

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from permits import services
from permits.models import DossierStatus, RequiredDocument
from permits.plans import services as plan_services
from permits.plans.models import PlanAnnotation
from tests.permits.factories import DossierFactory, ProcedureFactory, advance, staff_for, upload_file
from tests.plans.plan_files import PLAN, plan_pdf, raster_plan_png
from tests.web.browser import PageWatch, chromium, watched_page
from tests.web.browser import screenshot as page_screenshot

READY = "() => document.getElementById('plan-workspace').dataset.state === 'ready'"
RENDERED = "(stage) => document.getElementById(stage).dataset.rendered === 'true'"
SCAN_PIXELS_PER_POINT = 0.5  # the scan's pixels per point of the A1 sheet
LARGE_PAGES = 12  # each with a 150 KB image: the pages' dictionaries lie apart in the file, as in a CAD export

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, databases=["default", "geoportal"]),
    pytest.mark.usefixtures("documents_storage_dir"),
]


@pytest.fixture
def plan_file() -> dict[str, Any]:
    """A file under instruction whose architectural plans are the test plan."""
    procedure = ProcedureFactory.create(code="building-permit", name_fr="Permis de construire")
    RequiredDocument.objects.create(
        procedure=procedure,
        code="architectural-plans",
        label_fr="Plans architecturaux",
        label_ar="التصاميم المعمارية",
        label_en="Architectural plans",
        accepted_formats=["pdf"],
    )
    dossier = DossierFactory.create(procedure=procedure)
    document = services.document_upload(
        actor=dossier.applicant,
        address="127.0.0.1",
        dossier=dossier,
        document_type="architectural-plans",
        uploaded_file=upload_file("plan-rdc.pdf", plan_pdf()),
    )
    scan = services.document_upload(
        actor=dossier.applicant,
        address="127.0.0.1",
        dossier=dossier,
        document_type="other",
        uploaded_file=upload_file("plan-scan.png", raster_plan_png(pixels_per_point=SCAN_PIXELS_PER_POINT)),
    )
    large = services.document_upload(
        actor=dossier.applicant,
        address="127.0.0.1",
        dossier=dossier,
        document_type="other",
        uploaded_file=upload_file("plan-etages.pdf", plan_pdf(pages=LARGE_PAGES, hatch_bytes=150_000)),
    )
    advance(dossier, DossierStatus.UNDER_INSTRUCTION)
    desk = staff_for(dossier.commune)["desk_agent"]
    return {
        "dossier": dossier,
        "document": document,
        "scan": scan,
        "large": large,
        "desk": desk,
        "sessions": {"desk": session_of(desk), "applicant": session_of(dossier.applicant)},
    }


def session_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def annotated(plan_file: dict[str, Any]) -> None:
    """The desk declared the scale 1:100, measured the wall, made a remark of it and sent it."""
    dossier, document, desk = plan_file["dossier"], plan_file["document"], plan_file["desk"]
    plan_services.plan_calibrate(
        actor=desk, address=None, document=document, page=1, method="declared", scale_denominator=100
    )
    wall = plan_services.plan_annotate(
        actor=desk, address=None, document=document, page=1, kind="distance", points=[*PLAN.wall()]
    )
    plan_services.plan_annotation_remark(actor=desk, address=None, annotation=wall, text="Mur à reculer.")
    services.remarks_send_to_applicant(actor=desk, address=None, dossier=dossier)


@pytest.fixture
def revised(plan_file: dict[str, Any]) -> dict[str, Any]:
    """The desk clouded the wall and resolved a line, made a remark of the cloud and sent it; the applicant
    uploaded the revised plan (the wall 1 m further north): both annotations carried forward."""
    dossier, document, desk = plan_file["dossier"], plan_file["document"], plan_file["desk"]
    (x0, y0), (x1, y1) = PLAN.wall()
    cloud = plan_services.plan_annotate(
        actor=desk,
        address=None,
        document=document,
        page=1,
        kind="cloud",
        points=[[x0 - 20, y0 - 20], [x1 + 20, y0 - 20], [x1 + 20, y1 + 60], [x0 - 20, y1 + 60]],
    )
    line = plan_services.plan_annotate(
        actor=desk, address=None, document=document, page=1, kind="line", points=[*PLAN.wall()]
    )
    plan_services.plan_annotation_update(actor=desk, address=None, annotation=line, status="resolved")
    plan_services.plan_annotation_remark(actor=desk, address=None, annotation=cloud, text="Mur nord : à reculer.")
    services.remarks_send_to_applicant(actor=desk, address=None, dossier=dossier)
    revision = services.document_upload(
        actor=dossier.applicant,
        address=None,
        dossier=dossier,
        document_type="revised-plan",
        uploaded_file=upload_file("plan-rdc-v2.pdf", plan_pdf(version=2)),
        supersedes=document,
    )
    return {**plan_file, "revision": revision}


@pytest.fixture
def browser(live_server: LiveServer, plan_file: dict[str, Any]) -> Iterator[Browser]:
    """Chromium, started after the data (Django refuses database calls while Playwright's loop runs)."""
    with chromium() as browser:
        yield browser


def in_thread[Result](call: Callable[[], Result]) -> Result:
    """A database read while Playwright's loop runs in the test's thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def signed_in_page(
    browser: Browser, live_server: LiveServer, session: str, *, language: str = "fr", phone: bool = False
) -> tuple[Page, PageWatch]:
    """A watched page with a session (signed in by Django's test client) in `language`."""
    page, watch = watched_page(browser, live_server.url, locale={"fr": "fr-FR", "ar": "ar-MA"}.get(language, "en-GB"))
    if phone:
        page.set_viewport_size({"width": 360, "height": 740})
    host = live_server.url.split("://")[1].split(":")[0]
    page.context.add_cookies(
        [
            {"name": "sessionid", "value": session, "domain": host, "path": "/"},
            {"name": "django_language", "value": language, "domain": host, "path": "/"},
        ]
    )
    return page, watch


def screenshot(page: Page, name: str, *, full_page: bool = False, stage: str = "plan-stage") -> None:
    """Once the plan shown is rendered at its current zoom."""
    page.wait_for_function(RENDERED, arg=stage)
    page_screenshot(page, name, full_page=full_page)


def open_plans(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_function(READY, timeout=30_000)
    page.wait_for_function(RENDERED, arg="plan-stage", timeout=30_000)


def click_plan(page: Page, point: tuple[float, float], *, double: bool = False) -> None:
    """A real click where the stage shows this PDF point."""
    x, y = page.evaluate("(point) => window.planViewer.view.toStage(point)", list(point))
    box = page.locator("#plan-stage").bounding_box()
    assert box is not None
    assert 0 <= x <= box["width"] and 0 <= y <= box["height"], f"{point} is off the stage"
    if double:
        page.mouse.dblclick(box["x"] + x, box["y"] + y)
    else:
        page.mouse.click(box["x"] + x, box["y"] + y)


def answer_dialog(page: Page, value: str) -> None:
    page.locator("#plan-dialog-value").fill(value)
    page.locator("#plan-dialog-ok").click()


def saved_annotation(page: Page, kind: str, count: int) -> dict[str, Any]:
    """The last annotation of this kind the page holds once `count` of them are saved."""
    page.wait_for_function(
        "([kind, count]) => window.planViewer.state.annotations.filter((a) => a.kind === kind).length === count",
        arg=[kind, count],
    )
    annotations = page.evaluate("() => window.planViewer.state.annotations")
    return [annotation for annotation in annotations if annotation["kind"] == kind][-1]


def near(value: float, truth: float) -> bool:
    return abs(value - truth) / truth < 0.005


def test_a_reviewer_calibrates_measures_annotates_and_makes_a_remark(
    browser: Browser, live_server: LiveServer, plan_file: dict[str, Any]
) -> None:
    dossier, document = plan_file["dossier"], plan_file["document"]
    page, watch = signed_in_page(browser, live_server, plan_file["sessions"]["desk"])
    open_plans(page, f"{live_server.url}/office/files/{dossier.pk}/plans/")
    expect(page.locator(".plan-thumbnail")).to_have_count(1)
    expect(page.locator("#calibration-state")).to_contain_text("non calibrée")
    # the stage says when it first drew the page, in ms from navigation start (bench S9 reads it)
    assert 0 < float(page.locator("#plan-stage").get_attribute("data-first-page-shown") or 0) < 30_000
    page.wait_for_function("() => Number(document.getElementById('plan-workspace').dataset.snapPoints) > 10")
    screenshot(page, "plans-office-opened")

    # 1. The declared scale 1:100, then the 10.00 m wall (clicks near its ends snap onto them).
    page.locator("#scale-denominator").fill("100")
    page.locator("#calibration-declared button").click()
    expect(page.locator("#calibration-state")).to_contain_text("1:100")
    page.get_by_role("button", name="Distance", exact=True).click()
    (x0, y0), (x1, y1) = PLAN.wall()
    page.evaluate(
        "(centre) => { const view = window.planViewer.view; view.zoomTo(0.5); view.centreOn(centre); }",
        [(x0 + x1) / 2, y0],
    )
    click_plan(page, (x0 + 1.5, y0 - 1.5))
    click_plan(page, (x1 - 1.5, y1 + 1.5))
    expect(page.locator("#measure-live")).to_have_text("10,00 m")
    page.locator("#measure-save").click()
    wall = saved_annotation(page, "distance", 1)
    assert near(wall["measurement"]["value"], 10.0), wall["measurement"]
    # snapped to the plan's own line ends (PDF.js keeps paths in 32-bit floats)
    assert [coordinate for point in wall["points"] for coordinate in point] == pytest.approx([x0, y0, x1, y1], abs=0.01)

    # 2. A drawn calibration on the room's 6 m side, then its area by its four corners (24 m²).
    room = PLAN.room_corners
    page.evaluate("(corner) => window.planViewer.view.centreOn(corner)", [room[0][0] + 85, room[0][1] + 57])
    page.get_by_role("button", name="Calibrer").click()
    click_plan(page, room[0])
    click_plan(page, room[1])
    answer_dialog(page, "6")
    expect(page.locator("#calibration-state")).to_contain_text("6,00 m")
    page.get_by_role("button", name="Surface", exact=True).click()
    for corner in room:
        click_plan(page, corner)
    page.keyboard.press("Enter")
    expect(page.locator("#measure-live")).to_contain_text("24,00 m²")
    page.locator("#measure-save").click()
    area = saved_annotation(page, "area", 1)
    assert near(area["measurement"]["value"], 24.0), area["measurement"]
    assert near(area["measurement"]["perimeter"], 20.0), area["measurement"]
    screenshot(page, "plans-office-measured")

    # 3. Annotations on the whole page: a cloud around the corridor, a text, a stamp.
    page.get_by_role("button", name="Page entière").click()
    page.get_by_role("button", name="Nuage").click()
    click_plan(page, (1380, 480))
    click_plan(page, (1920, 1320))
    cloud = saved_annotation(page, "cloud", 1)
    assert cloud["colour"] == "#1d4ed8" and cloud["status"] == "open"
    page.get_by_role("button", name="Texte", exact=True).click()
    click_plan(page, (1450, 1350))
    answer_dialog(page, "Largeur du couloir à justifier")
    saved_annotation(page, "text", 1)
    page.get_by_role("button", name="Tampon").click()
    page.locator("#stamp-kind").select_option("to-correct")
    click_plan(page, (420, 400))
    assert saved_annotation(page, "stamp", 1)["stamp"] == "to-correct"
    screenshot(page, "plans-office-annotated")

    # 4. After a reload, everything is still there (the server's), and the page is calibrated.
    open_plans(page, page.url)
    expect(page.locator("#annotation-list .annotation-item")).to_have_count(5)
    expect(page.locator("#calibration-state")).to_contain_text("6,00 m")
    assert in_thread(lambda: PlanAnnotation.objects.filter(document_id=document.pk).count()) == 5
    assert page.locator("#plan-overlay .plan-shape").count() == 5

    # 5. A remark from the cloud, then the remark shows its annotation.
    cloud_item = page.locator(f'#annotation-list [data-annotation="{cloud["id"]}"]')
    cloud_item.get_by_role("button", name="Créer une remarque à partir de cette annotation").click()
    answer_dialog(page, "Le couloir doit mesurer au moins 1,20 m.")
    remark = page.locator("#remark-list .remark-item").first
    expect(remark).to_contain_text("Le couloir doit mesurer au moins 1,20 m.")
    remark_id = int(remark.get_attribute("data-remark") or 0)
    assert in_thread(lambda: PlanAnnotation.objects.get(pk=cloud["id"]).remark_id) == remark_id
    page.evaluate("() => window.planViewer.view.fit('page')")
    remark.get_by_role("button", name="Afficher les annotations de cette remarque").click()
    expect(page.locator(f'#plan-overlay [data-annotation="{cloud["id"]}"]')).to_have_class(
        "plan-shape plan-cloud plan-status-open plan-selected"
    )
    expect(cloud_item).to_have_attribute("aria-current", "true")

    # 6. Resolve the stamp; keyboard: zoom in, rotate, search the title block.
    page.locator("#annotation-list .annotation-item", has_text="Tampon").get_by_role("button", name="Résoudre").click()
    expect(page.locator("#annotation-list .annotation-item", has_text="Tampon")).to_have_attribute(
        "data-status", "resolved"
    )
    page.locator("#plan-stage").focus()
    zoom = page.evaluate("() => window.planViewer.view.zoom")
    page.keyboard.press("+")
    assert page.evaluate("() => window.planViewer.view.zoom") == pytest.approx(zoom * 1.25)
    page.keyboard.press("r")
    assert page.evaluate("() => window.planViewer.view.camera.rotation") == 90
    page.keyboard.press("/")
    page.keyboard.type("Echelle")
    page.keyboard.press("Enter")
    expect(page.locator("#plan-search-status")).to_contain_text("1")
    expect(page.locator("#plan-overlay .plan-search-hit")).to_have_count(1)
    screenshot(page, "plans-office-search-rotated")

    # 7. The annotated copy to download: a PDF built by the API.
    link = page.get_by_role("link", name="Télécharger le plan annoté")
    expect(link).to_be_visible()
    download = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert download.status == 200 and download.body().startswith(b"%PDF-")
    watch.assert_clean()


def test_the_applicant_reads_the_plan_without_tools_in_arabic_and_on_a_phone(
    annotated: None, browser: Browser, live_server: LiveServer, plan_file: dict[str, Any]
) -> None:
    dossier = plan_file["dossier"]
    for language, phone in (("ar", False), ("fr", True)):
        page, watch = signed_in_page(
            browser, live_server, plan_file["sessions"]["applicant"], language=language, phone=phone
        )
        open_plans(page, f"{live_server.url}/files/{dossier.pk}/plans/")
        assert page.locator("#measure-tools, #annotation-tools, #calibration-declared").count() == 0
        expect(page.locator("#annotation-list .annotation-item")).to_have_count(1)
        expect(page.locator("#annotation-list .annotation-caption")).to_contain_text("10")
        # the remark (with its reply form) shows its annotation on the plan
        remark = page.locator("article.remark").first
        expect(remark.locator(".reply-form")).to_be_visible()
        remark.locator(".remark-annotations").click()
        expect(page.locator("#annotation-list .annotation-item")).to_have_attribute("aria-current", "true")
        assert page.evaluate("() => document.documentElement.dir") == ("rtl" if language == "ar" else "ltr")
        assert page.evaluate("() => getComputedStyle(document.getElementById('plan-stage')).direction") == "ltr"
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(page, f"plans-applicant-{language}{'-phone' if phone else ''}", full_page=True)
        watch.assert_clean()
        page.context.close()
    # the back-office workspace is not theirs
    page, _ = signed_in_page(browser, live_server, plan_file["sessions"]["applicant"])
    response = page.goto(f"{live_server.url}/office/files/{dossier.pk}/plans/")
    assert response is not None and response.status == 404


def test_a_reviewer_compares_two_versions_side_by_side_and_overlaid(
    revised: dict[str, Any], browser: Browser, live_server: LiveServer
) -> None:
    dossier, document, revision = revised["dossier"], revised["document"], revised["revision"]
    page, watch = signed_in_page(browser, live_server, revised["sessions"]["desk"])
    page.goto(f"{live_server.url}/office/files/{dossier.pk}/plans/compare/?to={revision.pk}")
    page.wait_for_function("() => document.getElementById('compare-stages').dataset.state === 'ready'", timeout=30_000)
    page.wait_for_function(RENDERED, arg="stage-from")
    expect(page.locator("#compare-from")).to_have_value(str(document.pk))  # the version before, by default
    expect(page.locator("#compare-to-caption")).to_contain_text("Version 2")
    # the annotations carried forward, each with its status
    expect(page.locator("#carried-list .annotation-item")).to_have_count(2)
    expect(page.locator('#carried-list [data-status="resolved"]')).to_have_count(1)
    screenshot(page, "plans-compare-side", stage="stage-to")

    # linked zoom and pan: the earlier version follows the later one, and back
    box = page.locator("#stage-to").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.wheel(0, -400)
    page.mouse.down()
    page.mouse.move(box["x"] + 260, box["y"] + 150, steps=5)
    page.mouse.up()
    cameras = page.evaluate("() => [window.planCompare.views.from.camera, window.planCompare.views.to.camera]")
    assert cameras[0] == cameras[1] and cameras[1]["scale"] > 0.2
    page.locator("#stage-from").hover()
    page.mouse.wheel(0, 200)
    cameras = page.evaluate("() => [window.planCompare.views.from.camera, window.planCompare.views.to.camera]")
    assert cameras[0] == cameras[1]

    # the overlay: the earlier version over the later one, cut by the swipe
    page.get_by_role("button", name="Superposition avec rideau").click()
    expect(page.locator("#compare-swipe")).to_be_visible()
    page.locator("#compare-swipe").fill("30")
    assert page.evaluate("() => document.getElementById('stage-from').style.clipPath") == "inset(0px 70% 0px 0px)"
    assert page.evaluate("() => document.getElementById('stage-from').parentElement.id") == "compare-to-wrap"
    screenshot(page, "plans-compare-overlay", stage="stage-to")

    # the computed difference: the changed region is where the wall moved, and nowhere else
    page.get_by_role("button", name="Différence").click()
    expect(page.locator("#compare-result")).to_be_visible(timeout=30_000)
    regions = page.evaluate("() => window.planCompare.state.regions")
    (x0, y0), (x1, _) = PLAN.wall()
    (_, moved_y), _ = PLAN.wall(version=2)
    assert regions, "no changed region found"
    for region in regions:
        assert region["x"] < x1 + 30 and region["x"] + region["width"] > x0 - 30
        assert region["y"] < moved_y + 30 and region["y"] + region["height"] > y0 - 30
    expect(page.locator("#stage-to .plan-region")).to_have_count(len(regions))
    expect(page.locator("#compare-image")).to_be_visible()
    page.wait_for_function("() => document.getElementById('compare-image').naturalWidth > 0")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "plans-compare-difference", stage="stage-to", full_page=True)
    watch.assert_clean()


def test_a_plan_of_many_pages_shows_its_first_page_after_one_request(
    browser: Browser, live_server: LiveServer, plan_file: dict[str, Any]
) -> None:
    """PDF.js reads the page tree object by object; the viewer asks for all of it (and page 1's drawing) in one
    request of several ranges, then for each other page's bytes as it draws it."""
    dossier, large = plan_file["dossier"], plan_file["large"]
    page, watch = signed_in_page(browser, live_server, plan_file["sessions"]["desk"])
    downloads: list[Any] = []

    def finished(request: Any) -> None:
        if "/download/" in request.url:
            downloads.append(request)

    page.on("requestfinished", finished)
    open_plans(page, f"{live_server.url}/office/files/{dossier.pk}/plans/?document={large.pk}")
    expect(page.locator(".plan-thumbnail")).to_have_count(LARGE_PAGES)
    shown_at = page.evaluate(
        "() => performance.timeOrigin + Number(document.getElementById('plan-stage').dataset.firstPageShown)"
    )
    before = [request for request in downloads if request.timing["startTime"] < shown_at]
    assert len(before) == 1, [request.headers.get("range") for request in before]
    assert before[0].headers["range"].count(",") >= LARGE_PAGES - 1  # one range per page dictionary, at least
    assert before[0].response().status == 206
    assert before[0].response().headers["content-type"].startswith("multipart/byteranges")

    page.locator(f'.plan-thumbnail[data-page="{LARGE_PAGES}"]').click()  # its image was not in the first request
    expect(page.locator("#plan-workspace")).to_have_attribute("data-page", str(LARGE_PAGES))
    page.wait_for_function(RENDERED, arg="plan-stage")
    assert page.evaluate("() => window.planViewer.view.page.page.pageNumber") == LARGE_PAGES  # PDF.js's own page
    watch.assert_clean()


def test_a_scanned_plan_opens_in_the_same_viewer_and_measures_after_calibration(
    plan_file: dict[str, Any], browser: Browser, live_server: LiveServer
) -> None:
    """A PNG scan (its points are its pixels): calibrated on the room's 6 m side, the wall measures 10 m."""
    dossier, scan = plan_file["dossier"], plan_file["scan"]
    page, watch = signed_in_page(browser, live_server, plan_file["sessions"]["desk"])
    open_plans(page, f"{live_server.url}/office/files/{dossier.pk}/plans/?document={scan.pk}")
    expect(page.locator("#plan-version")).to_have_value(str(scan.pk))
    pixels = SCAN_PIXELS_PER_POINT

    def click_scan(point: tuple[float, float]) -> None:  # zoomed in on each point for a precise click
        at = [point[0] * pixels, point[1] * pixels]
        page.evaluate("(at) => { const view = window.planViewer.view; view.zoomTo(3); view.centreOn(at); }", at)
        click_plan(page, (at[0], at[1]))

    page.get_by_role("button", name="Calibrer").click()
    room = PLAN.room_corners
    click_scan(room[0])
    click_scan(room[1])
    answer_dialog(page, "6")
    expect(page.locator("#calibration-state")).to_contain_text("6,00 m")
    page.get_by_role("button", name="Distance", exact=True).click()
    start, end = PLAN.wall()
    click_scan(start)
    click_scan(end)
    page.locator("#measure-save").click()
    wall = saved_annotation(page, "distance", 1)
    assert near(wall["measurement"]["value"], 10.0), wall["measurement"]
    page.get_by_role("button", name="Page entière").click()
    screenshot(page, "plans-office-scan")
    watch.assert_clean()
