"""A public look-up that runs too long is cancelled by the read-only connection's own statement timeout and
answered 503 with Retry-After (never 500); the next request is served."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections

from parcels import selectors
from tests.factories import ParcelFactory
from tests.limits.conftest import client_from

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "geoportal"])


@pytest.fixture
def reader_timeout_200ms() -> Iterator[None]:
    """The geoportal connection reopened with a 200 ms statement timeout (as GEOPORTAL_STATEMENT_TIMEOUT_MS sets)."""
    reader = connections["geoportal"]
    options = reader.settings_dict["OPTIONS"]
    saved = options["options"]
    reader.close()
    options["options"] = re.sub(r"statement_timeout=\d+", "statement_timeout=200", saved)
    try:
        yield
    finally:
        reader.close()
        options["options"] = saved


def reader_timeout() -> str:
    with connections["geoportal"].cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


def test_a_slow_public_lookup_is_cancelled(reader_timeout_200ms: None, monkeypatch: pytest.MonkeyPatch) -> None:
    parcel = ParcelFactory.create()
    seen: dict[str, str] = {}
    original = selectors.parcel_get

    def slow_parcel_get(**kwargs: Any) -> Any:
        seen["timeout"] = reader_timeout()
        with connections["geoportal"].cursor() as cursor:
            cursor.execute("SELECT pg_sleep(2)")
        return original(**kwargs)

    monkeypatch.setattr(selectors, "parcel_get", slow_parcel_get)
    client = client_from("192.0.2.80")
    response = client.get(f"/api/parcels/{parcel.pk}/")
    assert seen["timeout"] == "200ms"
    assert response.status_code == 503 and int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "statement_timeout"

    monkeypatch.setattr(selectors, "parcel_get", original)
    assert client.get(f"/api/parcels/{parcel.pk}/").status_code == 200
