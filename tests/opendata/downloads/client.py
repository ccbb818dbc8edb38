"""An anonymous client's download: the body (streamed or not), the headers and the status."""

from typing import Any

from django.test import Client


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def download_path(path: str, **headers: str) -> tuple[bytes, dict[str, str], int]:
    response = Client().get(path, headers=headers)
    return body_of(response), dict(response.headers), response.status_code
