"""The limits in the OpenAPI document: every operation they apply to documents their answers (drf-spectacular's
`AutoSchema`, named by `DEFAULT_SCHEMA_CLASS`), from the same tables that enforce them.

- 429 (with `Retry-After`): a view with a `throttle_scope` of `THROTTLE_RATES`, or a path of `THROTTLE_PATHS` (the
  rate is in the description); on sign-in also an account locked after repeated failures (django-axes);
- 413: every operation with a request body: over `REQUEST_MAX_BODY_BYTES`, or an upload endpoint's file cap
  (`UPLOAD_PATH_LIMITS`), refused before the body is read;
- 503 (with `Retry-After`): a view that reads through the public reader (`public_reader = True`), whose statement
  timeout cancels a look-up that runs too long.

Each is a problem document (`application/problem+json`, the `Problem` component).
"""

import re
from typing import Any

from django.conf import settings
from drf_spectacular.openapi import AutoSchema

from gis_core.limits.bodies import BODY_METHODS, body_cap_for, file_cap_for
from gis_core.problems import PROBLEM_CONTENT_TYPE, ProblemSerializer

RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait before trying again."}}


def _size(size: int) -> str:
    """A size for the document, the same whatever the language of the request that builds it."""
    return f"{size / 1_048_576:.1f} MiB ({size} bytes)"


def _concrete(path: str) -> str:
    """An example of the route's real paths (`{id}` -> `1`), for the tables of path patterns."""
    return re.sub(r"\{[^}]+\}", "1", path)


def _scope_of(view: Any, path: str, method: str) -> str | None:
    scope = getattr(view, "throttle_scope", None)
    if scope in settings.THROTTLE_RATES:
        return str(scope)
    for prefix, methods, path_scope in settings.THROTTLE_PATHS:
        if path.startswith(prefix) and (not methods or method in methods):
            return str(path_scope)
    return None


def limit_answers(*, view: Any, path: str, method: str) -> dict[int, tuple[str, bool]]:
    """The limits' answers of an operation: status -> (description, whether `Retry-After` is sent)."""
    answers: dict[int, tuple[str, bool]] = {}
    scope = _scope_of(view, path, method)
    if scope is not None:
        text = (
            f"Too many requests from your address (scope `{scope}`: {settings.THROTTLE_RATES[scope]}); wait the "
            "`Retry-After` seconds."
        )
        if scope == "sign-in":
            text += " Also when the account is locked after repeated failed sign-ins (`code: account_locked`)."
        answers[429] = (text, True)
    if method in BODY_METHODS:
        concrete = _concrete(path)
        body_cap, file_cap = body_cap_for(concrete)
        if file_cap_for(concrete) is None:
            text = f"The request body is over {_size(body_cap)}: refused before it is read."
        else:
            text = (
                f"The file is over {_size(file_cap)} (or the body over {_size(body_cap)}): "
                "refused before the body is read, or as soon as the streamed file passes the cap."
            )
        answers[413] = (text, False)
    if getattr(view, "public_reader", False):
        answers[503] = ("The look-up took too long and was cancelled (public statement timeout); try again.", True)
    return answers


class LimitsAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the limits' answers of each operation (module docstring)."""

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status, (description, retry_after) in limit_answers(
            view=self.view, path=self.path, method=self.method
        ).items():
            if str(status) in responses:  # the view documents it itself: only the header it may lack
                if retry_after:
                    responses[str(status)]["headers"] = {**responses[str(status)].get("headers", {}), **RETRY_AFTER}
                continue
            answer = self._get_response_for_code(ProblemSerializer, str(status), [PROBLEM_CONTENT_TYPE], direction)
            answer["description"] = description
            if retry_after:
                answer["headers"] = {**answer.get("headers", {}), **RETRY_AFTER}
            responses[str(status)] = answer
        return responses
