"""The one throttle (Redis, GCRA) on sign-in, the public API, /ogc, /ows, /verify and tile misses; the client
address behind trusted proxies; fail open with one log line when Redis does not answer."""

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from gis_core.limits.clients import resolve_client_address, throttle_key
from gis_core.limits.limiter import limit_hit, parse_rate
from gis_core.problems import PROBLEM_CONTENT_TYPE
from tests.factories import ParcelFactory
from tests.limits.conftest import BROWSER, client_from

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])  # public reads: the reader


def statuses(responses: list[Any]) -> list[int]:
    return [response.status_code for response in responses]


def assert_throttled(response: Any) -> dict[str, Any]:
    assert response.status_code == 429, response.content[:300]
    assert int(response["Retry-After"]) >= 1
    assert response["Content-Type"].startswith(PROBLEM_CONTENT_TYPE)
    body: dict[str, Any] = response.json()
    assert body["status"] == 429
    return body


# --- the limiter itself ---------------------------------------------------------------------------------------


def test_rates_are_read_and_bad_ones_refused() -> None:
    assert parse_rate("20/minute").seconds == 60 and parse_rate("20/minute").count == 20
    assert parse_rate("5/10minutes").seconds == 600
    assert parse_rate("3 / second").interval_ms == 334
    for bad in ("20", "0/minute", "twenty/minute", "5/fortnight"):
        with pytest.raises(Exception, match="throttle rate"):
            parse_rate(bad)


def test_gcra_allows_the_burst_then_one_per_interval(rates: Callable[..., None]) -> None:
    rates(**{"sign-in": "3/hour"})
    verdicts = [limit_hit(scope="sign-in", key="192.0.2.1") for _ in range(5)]
    assert [verdict.allowed for verdict in verdicts] == [True, True, True, False, False]
    assert 1190 <= verdicts[3].retry_after <= 1200  # one request every 20 minutes once the burst is spent
    assert limit_hit(scope="sign-in", key="192.0.2.2").allowed  # another address has its own bucket
    assert limit_hit(scope="no-such-scope", key="192.0.2.1").allowed  # a scope without a rate is not limited


def test_throttling_can_be_turned_off(rates: Callable[..., None], settings: Any) -> None:
    rates(**{"sign-in": "1/hour"})
    settings.THROTTLE_ENABLED = False
    assert all(limit_hit(scope="sign-in", key="192.0.2.1").allowed for _ in range(5))


# --- the client address -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("forwarded_for", "proxies", "expected"),
    [
        ("203.0.113.9", 0, "10.0.0.1"),  # no proxy: the header is anybody's
        ("203.0.113.9", 1, "203.0.113.9"),
        ("198.51.100.7, 203.0.113.9", 1, "203.0.113.9"),  # the client wrote the left part
        ("198.51.100.7, 203.0.113.9, 10.0.0.2", 2, "203.0.113.9"),
        ("203.0.113.9", 2, "10.0.0.1"),  # fewer hops than proxies: it did not come through them
        ("not-an-address, 10.0.0.2", 2, "10.0.0.1"),
        ("", 1, "10.0.0.1"),
    ],
)
def test_client_address_behind_proxies(forwarded_for: str, proxies: int, expected: str) -> None:
    assert resolve_client_address("10.0.0.1", forwarded_for, trusted_proxies=proxies) == expected


def test_ipv6_clients_count_by_their_64_network() -> None:
    assert throttle_key("2001:db8:1:2:aaaa::1") == throttle_key("2001:db8:1:2:bbbb::7") == "2001:db8:1:2::/64"
    assert throttle_key("2001:db8:1:3::1") != throttle_key("2001:db8:1:2::1")
    assert throttle_key("::ffff:192.0.2.5") == "192.0.2.5"
    assert throttle_key("192.0.2.5") == "192.0.2.5"


def test_a_forged_forwarded_for_does_not_escape_the_throttle(rates: Callable[..., None]) -> None:
    rates(**{"public-api": "2/hour"})
    parcel = ParcelFactory.create()
    client = client_from("192.0.2.10")
    responses = [
        client.get(f"/api/parcels/{parcel.pk}/", headers={"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(3)
    ]
    assert statuses(responses) == [200, 200, 429]


def test_behind_one_proxy_each_client_has_its_own_bucket(rates: Callable[..., None], settings: Any) -> None:
    rates(**{"public-api": "2/hour"})
    settings.TRUSTED_PROXY_COUNT = 1
    parcel = ParcelFactory.create()
    proxy = client_from("10.0.0.1")  # every request reaches us from the proxy's address

    def fetch(client_address: str) -> int:
        headers = {"X-Forwarded-For": f"198.51.100.99, {client_address}"}  # the left part is the client's own
        return int(proxy.get(f"/api/parcels/{parcel.pk}/", headers=headers).status_code)

    assert [fetch("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert fetch("203.0.113.2") == 200  # another client behind the same proxy


# --- each face --------------------------------------------------------------------------------------------------


def test_public_api_answers_429_problems_with_retry_after(rates: Callable[..., None]) -> None:
    rates(**{"public-api": "3/hour"})
    parcel = ParcelFactory.create()
    client = client_from("192.0.2.20")
    responses = [client.get(f"/api/parcels/{parcel.pk}/") for _ in range(3)]
    responses.append(client.get("/api/parcels/at/", {"lon": "-7.6", "lat": "33.5"}))  # same scope, another look-up
    assert statuses(responses[:3]) == [200, 200, 200]
    assert_throttled(responses[3])
    assert client_from("192.0.2.21").get(f"/api/parcels/{parcel.pk}/").status_code == 200


def test_sign_in_is_one_scope_for_the_web_the_admin_and_the_token(rates: Callable[..., None], db: Any) -> None:
    rates(**{"sign-in": "3/hour"})
    User.objects.create_user("amina", password="a long enough password")
    browser = client_from("192.0.2.30")
    credentials = {"username": "amina", "password": "wrong"}
    first = [
        browser.post("/accounts/login/", credentials, headers=BROWSER),
        browser.post("/admin/login/", credentials, headers=BROWSER),
        browser.post("/api/auth/token/", credentials, content_type="application/json"),
    ]
    assert statuses(first) == [200, 200, 400]  # the form again, twice, then the API's invalid credentials
    page = browser.post("/accounts/login/", credentials, headers={**BROWSER, "Accept-Language": "fr"})
    assert page.status_code == 429 and int(page["Retry-After"]) >= 1
    assert page["Content-Type"].startswith("text/html") and "Trop de requêtes" in page.content.decode()
    api = APIClient(REMOTE_ADDR="192.0.2.30").post("/api/auth/token/", credentials, format="json")
    assert_throttled(api)
    assert browser.get("/accounts/login/").status_code == 200  # only POSTs (attempts) count


@pytest.mark.parametrize("path", ["/ogc/collections", "/ows/?SERVICE=WMS&REQUEST=GetCapabilities", "/verify/x/"])
def test_ogc_ows_and_verify_are_throttled(path: str, rates: Callable[..., None]) -> None:
    rates(ogc="2/hour", ows="2/hour", verify="2/hour")
    client = client_from("192.0.2.40")
    responses = [client.get(path) for _ in range(3)]
    assert 429 not in statuses(responses[:2])
    assert_throttled(responses[2])


def test_redis_down_fails_open_and_logs_once(
    rates: Callable[..., None], settings: Any, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    rates(**{"public-api": "1/hour"})
    settings.THROTTLE_REDIS_URL = f"redis://127.0.0.1:{closed_port}/0"
    parcel = ParcelFactory.create()
    client = client_from("192.0.2.50")
    with caplog.at_level(logging.WARNING, logger="gis_core.limits.fail_open"):
        responses = [client.get(f"/api/parcels/{parcel.pk}/") for _ in range(5)]
    assert statuses(responses) == [200] * 5
    outages = [record for record in caplog.records if record.name == "gis_core.limits.fail_open"]
    assert len(outages) == 1 and "throttling" in outages[0].getMessage()
