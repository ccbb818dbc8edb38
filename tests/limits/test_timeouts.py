"""A statement timeout on the public look-ups that read through `default`: a slow statement is cancelled and
answered 503 with Retry-After, the pooled connection keeps no timeout, and the next request is served."""

from typing import Any

import pytest
from django.db import connection

from parcels import selectors
from tests.factories import ParcelFactory
from tests.limits.conftest import client_from

pytestmark = pytest.mark.django_db(transaction=True)


def current_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


def test_a_slow_public_lookup_is_cancelled(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 200
    parcel = ParcelFactory.create()
    seen: dict[str, str] = {}
    original = selectors.parcel_get

    def slow_parcel_get(**kwargs: Any) -> Any:
        seen["timeout"] = current_timeout()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
        return original(**kwargs)

    monkeypatch.setattr(selectors, "parcel_get", slow_parcel_get)
    client = client_from("192.0.2.80")
    response = client.get(f"/api/parcels/{parcel.pk}/")
    assert seen["timeout"] == "200ms"
    assert response.status_code == 503 and int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "statement_timeout"

    assert current_timeout() == "0"  # SET LOCAL: gone with the request's transaction
    monkeypatch.setattr(selectors, "parcel_get", original)
    assert client.get(f"/api/parcels/{parcel.pk}/").status_code == 200
