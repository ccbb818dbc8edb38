"""The Content-Security-Policy (`CONTENT_SECURITY_POLICY`, `gis_core.csp`): the strict policy on our pages, the
wider ones only on the routes whose HTML we do not write, frame denial everywhere; and no template of a page holds
what the strict policy blocks (inline scripts, event handler attributes, inline styles)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from tests.permits.factories import UserFactory

STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:", "blob:"},
    "connect-src": {"'self'"},
    "worker-src": {"'self'", "blob:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Templates rendered to PDF (WeasyPrint) or e-mail, never served as a page: the policy does not apply to them.
NOT_PAGES = (
    "/templates/commissions/pdf/",
    "/templates/application_form/",
    "/templates/inspections/pdf/",
    "/templates/plans/pdf/",
    "/templates/audit/",
    "/templates/demo/",
    "/templates/notifications/",
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|<[a-z][^>]*\sstyle\s*=", re.I)


def policy_of(response: object) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: set(values) for name, *values in directives}


def assert_strict(response: object) -> None:
    policy = policy_of(response)
    for directive, values in STRICT.items():
        assert policy.get(directive) == values, (directive, policy.get(directive))


@pytest.fixture
def signed_in(db: None) -> Client:
    user: User = UserFactory.create(username="amina")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(databases=["default", "geoportal"])  # the public pages read through the reader
@pytest.mark.parametrize(
    "path", ["/", "/map/", "/opendata/", "/accounts/login/", "/verify/no-such-token/", "/admin/login/"]
)
def test_public_pages_carry_the_strict_policy_and_frame_denial(client: Client, path: str) -> None:
    response = client.get(path)
    assert response["Content-Type"].startswith("text/html")
    assert_strict(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/files/", "/files/new/", "/accounts/", "/accounts/tokens/", "/home/"])
def test_signed_in_pages_carry_the_strict_policy(signed_in: Client, path: str) -> None:
    response = signed_in.get(path, follow=True)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert_strict(response)


@pytest.mark.django_db
def test_api_responses_and_problems_carry_it_too(client: Client) -> None:
    assert_strict(client.get("/api/procedures/"))  # a 401 problem document
    assert_strict(client.get("/api/schema/?format=json"))


@pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])  # /ogc reads the geoportal views
def test_only_the_routes_we_do_not_write_get_a_wider_policy(client: Client) -> None:
    redoc = policy_of(client.get("/api/docs/"))
    assert redoc["script-src"] == {"'self'"} and redoc["style-src"] == {"'self'", "'unsafe-inline'"}
    pygeoapi = policy_of(client.get("/ogc?f=html"))
    assert "'unsafe-inline'" in pygeoapi["script-src"]  # pygeoapi's stock templates, until issue 14 replaces them
    for policy in (redoc, pygeoapi):
        assert policy["frame-ancestors"] == {"'none'"} and policy["object-src"] == {"'none'"}
        assert not any("unsafe-eval" in value for values in policy.values() for value in values)
    routes = [prefix for prefix, _ in settings.CONTENT_SECURITY_POLICY_ROUTES]
    assert routes == ["/api/docs/", "/ogc", "/ows/demo"], "a new exception to the strict policy: say why in settings"


def page_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    found = [
        path
        for folder in ("web", "permits", "gis_core", "ogc_services", "parcels", "tiles", "opendata", "demo")
        for path in (base / folder).rglob("templates/**/*.html")
    ]
    return [path for path in found if not any(part in path.as_posix() for part in NOT_PAGES)]


def test_no_page_template_holds_what_the_strict_policy_blocks() -> None:
    templates = page_templates()
    assert len(templates) > 30
    offenders = []
    for path in templates:
        text = path.read_text()
        for rule in (INLINE_SCRIPT, EVENT_HANDLER, INLINE_STYLE):
            offenders += [f"{path}: {match.group(0)[:80]}" for match in rule.finditer(text)]
        if "javascript:" in text:
            offenders.append(f"{path}: javascript: URL")
    assert not offenders, offenders
