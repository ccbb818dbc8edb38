"""Separation of duties on the administration's side: nobody grants a role to themselves; the roles that decide,
sign or grant take two administrators (one asks, another approves), through the services and the Django admin; each
refusal is a 403 that changes nothing and is audited; admin edits of the catalogue and of commissions are in the
audit trail (who, what, before and after)."""

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from permits import services
from permits.audit import audit_verify
from permits.commissions import services as commission_services
from permits.commissions.models import Commission
from permits.errors import PermissionDenied
from permits.models import AuditEvent, Procedure, Role, RoleGrantRequest, RoleMembership
from tests.permits.factories import ProcedureFactory, UserFactory, commune_tree, staff_for

pytestmark = pytest.mark.django_db


def administrator(name: str) -> Any:
    user = UserFactory.create(username=name, is_staff=True, is_superuser=True)
    RoleMembership.objects.create(user=user, role=Role.ADMINISTRATOR)
    return user


def refusals(actor: Any) -> list[dict[str, Any]]:
    return list(AuditEvent.objects.filter(action="permission.refused", actor=actor).values_list("payload", flat=True))


@pytest.mark.parametrize("role", [Role.COMMISSION_PRESIDENT, Role.SIGNING_AUTHORITY, Role.ADMINISTRATOR])
def test_an_administrator_never_grants_themselves_a_role(role: str) -> None:
    alice = administrator("alice")
    commune = commune_tree()
    with pytest.raises(PermissionDenied, match="themselves"):
        services.role_grant(granted_by=alice, user=alice, role=role, territory=commune)
    with pytest.raises(PermissionDenied, match="themselves"):
        services.role_grant_request(requested_by=alice, user=alice, role=role, territory=commune)
    assert list(RoleMembership.objects.filter(user=alice).values_list("role", flat=True)) == [Role.ADMINISTRATOR]
    assert not RoleGrantRequest.objects.exists()
    assert [(event["action"], event["role"]) for event in refusals(alice)] == [
        ("role.grant", role),
        ("role.grant_request", role),
    ]


def test_a_sensitive_role_takes_two_administrators() -> None:
    alice, bob = administrator("alice"), administrator("bob")
    carol = UserFactory.create(username="carol")
    commune = commune_tree()
    with pytest.raises(PermissionDenied, match="two administrators"):
        services.role_grant(granted_by=alice, user=carol, role=Role.SIGNING_AUTHORITY, territory=commune)
    assert not RoleMembership.objects.filter(user=carol).exists()

    asked = services.role_grant_request(requested_by=alice, user=carol, role=Role.SIGNING_AUTHORITY, territory=commune)
    assert not RoleMembership.objects.filter(user=carol).exists(), "nothing granted until a second person approves"
    with pytest.raises(PermissionDenied, match="not the one who asked"):
        services.role_grant_approve(approved_by=alice, request=asked)
    with pytest.raises(PermissionDenied, match="only an administrator"):
        services.role_grant_approve(approved_by=carol, request=asked)
    asked.refresh_from_db()
    assert asked.decided_at is None and not RoleMembership.objects.filter(user=carol).exists()

    membership = services.role_grant_approve(approved_by=bob, request=asked)
    assert (membership.user, membership.role, membership.territory, membership.active) == (
        carol,
        Role.SIGNING_AUTHORITY,
        commune,
        True,
    )
    granted = AuditEvent.objects.get(action="role.granted")
    assert granted.actor == bob
    assert granted.payload["requested_by"] == alice.pk and granted.payload["approved_by"] == bob.pk
    assert [event["action"] for event in refusals(alice)] == ["role.grant", "role.grant_approve"]
    assert [event["action"] for event in refusals(carol)] == ["role.grant_approve"]


def test_the_user_asked_for_may_not_approve_and_a_rejection_grants_nothing() -> None:
    alice, bob, dave = administrator("alice"), administrator("bob"), administrator("dave")
    commune = commune_tree()
    asked = services.role_grant_request(requested_by=alice, user=bob, role=Role.COMMISSION_PRESIDENT, territory=commune)
    with pytest.raises(PermissionDenied, match="themselves"):
        services.role_grant_approve(approved_by=bob, request=asked)
    services.role_grant_reject(rejected_by=dave, request=asked)
    asked.refresh_from_db()
    assert asked.approved is False and asked.decided_by == dave
    assert not RoleMembership.objects.filter(user=bob, role=Role.COMMISSION_PRESIDENT).exists()


def test_a_role_that_is_not_sensitive_is_granted_at_once_by_another_administrator() -> None:
    alice, erin = administrator("alice"), UserFactory.create(username="erin")
    membership = services.role_grant(granted_by=alice, user=erin, role=Role.DESK_AGENT, territory=commune_tree())
    assert membership.active
    assert AuditEvent.objects.get(action="role.granted").actor == alice


class FormValues(HTMLParser):
    """The values an admin change form would post as rendered (inputs, selects, text areas)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, Any] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in {"submit", "button", "file"}:
            if attributes.get("type") in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.values[name] = attributes.get("value", "on")
            else:
                self.values[name] = attributes.get("value") or ""
        elif tag == "select" and name:
            self._select = name
            self.values.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attributes:
            self.values[self._select].append(attributes.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(client: Client, url: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200
    parser = FormValues()
    parser.feed(response.content.decode())
    values = {name: value for name, value in parser.values.items() if not re.search(r"__prefix__", name)}
    return {name: value[0] if isinstance(value, list) and len(value) == 1 else value for name, value in values.items()}


def test_the_django_admin_follows_the_same_rules(client: Client) -> None:
    alice, bob = administrator("alice"), administrator("bob")
    carol = UserFactory.create(username="carol")
    commune = commune_tree()
    client.force_login(alice)

    refused = client.post(
        "/admin/permits/rolemembership/add/",
        {"user": alice.pk, "role": Role.COMMISSION_PRESIDENT, "territory": commune.pk, "active": "on"},
    )
    assert refused.status_code == 200 and "themselves" in refused.content.decode()
    refused = client.post(
        "/admin/permits/rolemembership/add/",
        {"user": carol.pk, "role": Role.COMMISSION_PRESIDENT, "territory": commune.pk, "active": "on"},
    )
    assert refused.status_code == 200 and "two administrators" in refused.content.decode()
    assert not RoleMembership.objects.filter(role=Role.COMMISSION_PRESIDENT).exists()
    assert [event["action"] for event in refusals(alice)] == ["role.grant", "role.grant"]

    added = client.post(
        "/admin/permits/rolemembership/add/",
        {"user": carol.pk, "role": Role.DESK_AGENT, "territory": commune.pk, "active": "on"},
    )
    assert added.status_code == 302
    assert AuditEvent.objects.get(action="role.granted").payload["role"] == Role.DESK_AGENT

    asked = client.post(
        "/admin/permits/rolegrantrequest/add/",
        {"user": carol.pk, "role": Role.COMMISSION_PRESIDENT, "territory": commune.pk},
    )
    assert asked.status_code == 302
    grant_request = RoleGrantRequest.objects.get()
    assert grant_request.requested_by == alice
    action = {"action": "approve", "_selected_action": [grant_request.pk]}
    client.post("/admin/permits/rolegrantrequest/", action)
    assert not RoleMembership.objects.filter(role=Role.COMMISSION_PRESIDENT).exists(), "not by the one who asked"
    client.force_login(bob)
    client.post("/admin/permits/rolegrantrequest/", action)
    assert RoleMembership.objects.filter(user=carol, role=Role.COMMISSION_PRESIDENT, active=True).exists()
    assert audit_verify().ok


def test_admin_edits_of_the_catalogue_and_of_commissions_are_audited(client: Client) -> None:
    alice = administrator("alice")
    client.force_login(alice)
    procedure = ProcedureFactory.create(code="small-works", name_fr="Petits travaux")
    url = f"/admin/permits/procedure/{procedure.pk}/change/"
    values = form_values(client, url)
    values["name_fr"] = "Travaux mineurs"
    response = client.post(url, values)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="admin.changed")
    assert event.actor == alice
    assert event.payload["model"] == "permits.procedure" and event.payload["object"] == procedure.pk
    assert event.payload["before"] == {"name_fr": "Petits travaux"}
    assert event.payload["after"] == {"name_fr": "Travaux mineurs"}

    commune = commune_tree()
    staff = staff_for(commune)
    commission = commission_services.commission_create(
        name_fr="Commission",
        territory=commune,
        family=procedure.family,
        procedures=[procedure],
        president=staff["commission_president"],
        signing_authority=staff["signing_authority"],
        secretary=staff["desk_agent"],
    )
    url = f"/admin/commissions/commission/{commission.pk}/change/"
    values = form_values(client, url)
    before = commission.quorum_minimum_members
    values["quorum_minimum_members"] = str(before + 2)
    values["procedures"] = []
    response = client.post(url, values)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.filter(action="admin.changed").latest("sequence")
    assert event.payload["model"] == "commissions.commission"
    assert event.payload["before"] == {"procedures": [procedure.pk], "quorum_minimum_members": before}
    assert event.payload["after"] == {"procedures": [], "quorum_minimum_members": before + 2}
    assert Commission.objects.get(pk=commission.pk).quorum_minimum_members == before + 2
    assert Procedure.objects.get(pk=procedure.pk).name_fr == "Travaux mineurs"
    assert audit_verify().ok
