"""Records of the signing kernel: one row per signature applied, one verification token per output document.

`SignatureRecord` says which certificate signed which document version, when (the timestamp's time) and the
SHA-256 of the signed revision; the permits domain writes its own audit event from it. A field is signed once
per document (`(lineage, field_name)` is unique). `VerificationToken` is the public handle of an output
document (all its versions): `/verify/<token>/` reports on its latest version.
"""

import secrets

from django.db import models

from gis_core.documents.models import StoredDocument


def new_token() -> str:
    """22 URL-safe characters (128 bits): unguessable, short enough for a small QR code."""
    return secrets.token_urlsafe(16)


class VerificationPurpose(models.TextChoices):
    PLAN = "plan", "Authorised plan"
    MINUTES = "minutes", "Minutes (PV)"
    DECISION = "decision", "Decision"
    OTHER = "other", "Other"


class VerificationToken(models.Model):
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    lineage = models.UUIDField(unique=True, help_text="The output document (StoredDocument.lineage).")
    reference = models.CharField(max_length=120, help_text="The file reference printed on the stamp.")
    purpose = models.CharField(max_length=16, choices=VerificationPurpose.choices, default=VerificationPurpose.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.reference} ({self.purpose})"


class SignatureRecord(models.Model):
    document = models.OneToOneField(
        StoredDocument, on_delete=models.PROTECT, related_name="signature_record", help_text="The signed version."
    )
    signed_from = models.OneToOneField(
        StoredDocument, on_delete=models.PROTECT, related_name="+", help_text="The version that was signed."
    )
    lineage = models.UUIDField(db_index=True)
    field_name = models.CharField(max_length=64)
    signer_name = models.CharField(max_length=200, help_text="Common name of the certificate.")
    certificate_subject = models.CharField(max_length=500)
    certificate_issuer = models.CharField(max_length=500)
    certificate_serial = models.CharField(max_length=64, help_text="Hexadecimal.")
    certificate_sha256 = models.CharField(max_length=64, help_text="Fingerprint of the DER certificate.")
    signed_at = models.DateTimeField(help_text="Time of the signature's timestamp token.")
    revision_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the signed revision (whole file).")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("lineage", "created_at")
        constraints = [
            models.UniqueConstraint(fields=("lineage", "field_name"), name="signing_one_signature_per_field"),
        ]

    def __str__(self) -> str:
        return f"{self.field_name}: {self.signer_name} ({self.signed_at:%Y-%m-%d %H:%M})"
