"""The signed application: the one-time codes that confirm the applicant's consent, and the signatures made.

`ApplicationCode`: one code sent by SMS or e-mail for one file and one content (the SHA-256 of what the form says,
`permits.application_form.facts`), stored hashed (HMAC with the site's key), valid `APPLICATION_CODE_TTL_SECONDS`,
at most `APPLICATION_CODE_MAX_ATTEMPTS` tries, used once. `ApplicationSignature`: the sealed PDF stored as the
file's `signed-application` document and the content it signed; submission needs the latest one to match the
file's current content.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CodeChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class ApplicationCode(models.Model):
    dossier = models.ForeignKey("permits.Dossier", on_delete=models.PROTECT, related_name="application_codes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=8, choices=CodeChannel.choices)
    destination_masked = models.CharField(max_length=64)
    code_hash = models.CharField(max_length=64)
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["dossier", "user", "created_at"], name="permits_appcode_recent")]

    def __str__(self) -> str:
        return f"code {self.pk} for file {self.dossier_id} by {self.channel}"


class ApplicationSignature(models.Model):
    dossier = models.ForeignKey("permits.Dossier", on_delete=models.PROTECT, related_name="application_signatures")
    document = models.OneToOneField(
        "permits.DossierDocument", on_delete=models.PROTECT, related_name="application_signature"
    )
    code = models.OneToOneField(ApplicationCode, on_delete=models.PROTECT, related_name="signature")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    content_sha256 = models.CharField(max_length=64)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-signed_at", "-id"]

    def __str__(self) -> str:
        return f"signed application of file {self.dossier_id} ({self.signed_at:%Y-%m-%d})"
