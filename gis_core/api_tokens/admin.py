"""Admin of the API tokens: who holds which (by prefix), when each was used and expires; an administrator revokes
one by deleting it. No key is shown (none is stored) and none is created here (`manage.py api_token_create`)."""

from django.contrib import admin
from django.http import HttpRequest

from gis_core.api_tokens.models import ApiToken

FIELDS = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = FIELDS
    readonly_fields = FIELDS
    fields = FIELDS
    search_fields = ("user__username", "name", "prefix")
    list_filter = ("expires_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
