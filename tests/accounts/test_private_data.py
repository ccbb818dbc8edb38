"""The national ID number (CIN) is seen in full by its owner and by the desk of the file's commune, masked for any
other back-office role, and never in the API or a public page."""

from typing import Any

import pytest

from permits.models import Role, UserProfile, mask_national_id
from tests.accounts.conftest import browser
from tests.permits.factories import DossierFactory, RoleMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed() -> Any:
    dossier = DossierFactory.create(submitted=True)
    UserProfile.objects.update_or_create(user=dossier.applicant, defaults={"national_id": "BK123456"})
    return dossier


def page_for(user: Any, dossier: Any) -> str:
    client = browser()
    client.force_login(user)
    response = client.get(f"/files/{dossier.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_desk_sees_the_cin_in_full_a_president_masked(filed: Any) -> None:
    desk = UserFactory.create(username="desk-anfa")
    RoleMembershipFactory.create(user=desk, role=Role.DESK_AGENT, territory=filed.commune)
    assert "BK123456" in page_for(desk, filed)
    president = UserFactory.create(username="president-anfa")
    RoleMembershipFactory.create(user=president, role=Role.COMMISSION_PRESIDENT, territory=filed.commune)
    page = page_for(president, filed)
    assert "BK123456" not in page and mask_national_id("BK123456") in page


def test_the_cin_is_not_in_the_api(filed: Any) -> None:
    client = browser()
    client.force_login(filed.applicant)
    for path in ("/api/dossiers/", f"/api/dossiers/{filed.pk}/", "/api/me/"):
        response = client.get(path)
        assert "BK123456" not in response.content.decode(), path


def test_masking_keeps_the_last_two_characters() -> None:
    assert mask_national_id("BK123456") == "\u2022" * 6 + "56"
    assert mask_national_id("") == ""
