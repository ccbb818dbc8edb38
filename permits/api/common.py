"""What every permits endpoint shares: the authenticated base view, the client's address for the audit trail,
the file look-up (404 for a file the user may not see) and the documented problem responses."""

from collections.abc import Sequence
from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from gis_core.problems import ProblemSerializer
from parcels.api import GeoJsonGeometryField, GeometryInputField
from permits import selectors
from permits.models import Dossier

__all__ = [
    "PROBLEMS",
    "EmptyInputSerializer",
    "GeoJsonGeometryField",
    "GeometryInputField",
    "PermitsApiView",
    "ProblemSerializer",
    "client_address",
    "dossier_for",
    "problems",
    "validated",
]

PROBLEM_DESCRIPTIONS = {
    400: "Invalid input (application/problem+json).",
    401: "Not authenticated: send a token or a session cookie (application/problem+json).",
    403: "Authenticated, but the role does not allow this action, or the CSRF token is missing "
    "(application/problem+json).",
    404: "No such file, or one you may not see: the two are indistinguishable (application/problem+json).",
    409: "The action is not possible in the file's current state (application/problem+json).",
}
PROBLEMS = {code: OpenApiResponse(ProblemSerializer, description=text) for code, text in PROBLEM_DESCRIPTIONS.items()}


def problems(*codes: int) -> dict[int, OpenApiResponse]:
    """The problem responses of an operation; 401 always applies."""
    return {code: PROBLEMS[code] for code in sorted({401, *codes})}


class PermitsApiView(APIView):
    """Base of every permits endpoint: authentication required (token or session, from the settings)."""

    permission_classes: Sequence[type[BasePermission]] = (IsAuthenticated,)


def client_address(request: Request) -> str | None:
    """The client's IP address, recorded by the audit trail (a proxy in front must set REMOTE_ADDR)."""
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


def dossier_for(request: Request, dossier_id: int) -> Dossier:
    """The file if the user may see it; `DossierNotFound` (404) otherwise, whether it exists or not."""
    return selectors.dossier_get_for(user=request.user, dossier_id=dossier_id)


class EmptyInputSerializer(serializers.Serializer):
    """Actions without parameters take an empty JSON object (or no body)."""


def validated(serializer_class: type[serializers.Serializer], data: Any, **context: Any) -> dict[str, Any]:
    """Validate a request body (400 problem on failure) and return its validated data."""
    serializer = serializer_class(data=data, context=context)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
