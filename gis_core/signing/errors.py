"""Typed errors of the signing kernel (all `gis_core.problems.DomainError`s)."""

from gis_core.problems import DomainError


class SigningError(DomainError):
    """Base of the signing kernel's errors."""


class SignerUnavailable(SigningError):
    status = 409
    title = "No signing credentials"
    """No signing credentials for this user (no PKCS#12, no token key, no remote account)."""


class SignatureFieldAlreadySigned(SigningError):
    status = 409
    title = "Already signed"
    """The document already carries a signature in this field (signing twice is refused)."""


class NotAPdf(SigningError):
    """Only PDF documents can be signed or stamped."""


class TimestampUnavailable(SigningError):
    status = 503
    title = "No timestamp authority"
    """No timestamp authority is configured (SIGNING_TSA_URL empty and SIGNING_TSA_LOCAL off)."""
