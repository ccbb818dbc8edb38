"""One-time codes: six digits drawn by `secrets`, kept as an HMAC (the site's key, the code's own id as salt),
compared in constant time; and the masked destinations shown on the form and the signature."""

import hashlib
import hmac
import secrets

from django.conf import settings

CODE_DIGITS = 6


def code_draw() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hash(*, code: str, salt: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"application-code:{salt}:{code.strip()}".encode(), hashlib.sha256).hexdigest()


def code_matches(*, code: str, salt: str, expected_hash: str) -> bool:
    return hmac.compare_digest(code_hash(code=code, salt=salt), expected_hash)


def phone_masked(phone: str) -> str:
    """ "+212 6•• •• •• 12": the country code, the first digit and the last two."""
    digits = "".join(character for character in phone if character.isdigit())
    if len(digits) < 6:
        return "•" * len(digits)
    if phone.strip().startswith("+") and digits.startswith("212"):
        national = digits[3:]
        return f"+212 {national[0]}•• •• •• {national[-2:]}"
    return f"{digits[:2]}•• •• •• {digits[-2:]}"


def email_masked(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"
