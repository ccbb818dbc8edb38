"""Profiles (language, channels) and role grants."""

import pytest

from permits import services
from permits.errors import InvalidDossier, PermissionDenied
from permits.models import AuditEvent, Language, Role
from tests.factories import AgencyFactory
from tests.permits.factories import UserFactory, commune_tree

pytestmark = pytest.mark.django_db


def test_profile_language_and_channels() -> None:
    user = UserFactory.create()
    profile = services.profile_get(user=user)
    assert (profile.preferred_language, profile.notify_by_email, profile.notify_by_sms) == ("fr", True, False)
    with pytest.raises(InvalidDossier):
        services.profile_update(user=user, notify_by_sms=True)  # no phone yet
    profile = services.profile_update(user=user, phone="+212 600 000 000", preferred_language="ar", notify_by_sms=True)
    assert profile.preferred_language == Language.ARABIC and profile.notify_by_sms
    with pytest.raises(InvalidDossier):
        services.profile_update(user=user, preferred_language="de")


def test_role_grant() -> None:
    admin = UserFactory.create(is_superuser=True)
    user = UserFactory.create()
    commune = commune_tree("CASA-ANFA")
    with pytest.raises(InvalidDossier):
        services.role_grant(granted_by=admin, user=user, role=Role.COMMISSION_MEMBER)
    with pytest.raises(PermissionDenied):
        services.role_grant(granted_by=UserFactory.create(), user=user, role=Role.DESK_AGENT, territory=commune)
    membership = services.role_grant(granted_by=admin, user=user, role=Role.DESK_AGENT, territory=commune)
    again = services.role_grant(granted_by=admin, user=user, role=Role.DESK_AGENT, territory=commune)
    assert membership.pk == again.pk
    member = services.role_grant(
        granted_by=None, user=user, role=Role.COMMISSION_MEMBER, agency=AgencyFactory.create(code="ONDA")
    )
    assert member.agency is not None
    assert AuditEvent.objects.filter(action="role.granted").count() == 3
