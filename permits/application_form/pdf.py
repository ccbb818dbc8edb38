"""The application form as PDF/A-3b, bilingual (French, then Arabic right-to-left, shaped by HarfBuzz), rendered
by the commissions' WeasyPrint machinery (`permits.commissions.pdf.render_pdf`, same fonts and page layout).

Before signing the form says "to be signed"; the sealed version carries the signature statement (who signed,
with which code, sent where, when) in its last block, and the same words in the PAdES signature's fields.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from permits.commissions.pdf import render_pdf

PDF_VARIANT = "pdf/a-3b"
CHANNEL_WORDS = {"sms": ("SMS", "رسالة نصية"), "email": ("courriel", "البريد الإلكتروني")}


@dataclass(frozen=True)
class SignatureStatement:
    signer_name: str
    national_id_masked: str
    channel: str
    destination_masked: str
    signed_at: datetime

    def french(self) -> str:
        identity = f" (CIN {self.national_id_masked})" if self.national_id_masked else ""
        words = CHANNEL_WORDS[self.channel][0]
        moment = timezone.localtime(self.signed_at).strftime("%d/%m/%Y %H:%M")
        return (
            f"Signé par {self.signer_name}{identity} avec un code à usage unique envoyé par {words} "
            f"au {self.destination_masked} le {moment}"
        )

    def arabic(self) -> str:
        identity = f" (ب.ت.و {self.national_id_masked})" if self.national_id_masked else ""
        words = CHANNEL_WORDS[self.channel][1]
        moment = timezone.localtime(self.signed_at).strftime("%d/%m/%Y %H:%M")
        return (
            f"وقعه {self.signer_name}{identity} برمز يستعمل مرة واحدة أرسل عبر {words} "
            f"إلى \u2066{self.destination_masked}\u2069 بتاريخ \u2066{moment}\u2069"  # numbers isolated left-to-right
        )

    def english(self) -> str:
        identity = f" (ID {self.national_id_masked})" if self.national_id_masked else ""
        return (
            f"Signed by {self.signer_name}{identity} with a one-time code sent by {self.channel.upper()} "
            f"to {self.destination_masked} on {timezone.localtime(self.signed_at):%Y-%m-%d %H:%M}"
        )


def application_pdf(*, facts: dict[str, Any], content_sha256: str, statement: SignatureStatement | None) -> bytes:
    return render_pdf(
        template_names=[
            f"application_form/application_{facts['procedure']['code']}.html",
            "application_form/application.html",
        ],
        context={
            "facts": facts,
            "content_sha256": content_sha256,
            "statement": statement,
            "statement_fr": statement.french() if statement else "",
            "statement_ar": statement.arabic() if statement else "",
            # the page header reads the issuer's territory as a commission's
            "commission": {"territory": facts["commune"]},
            "generated_at": timezone.localtime(timezone.now()),
        },
        pdf_variant=PDF_VARIANT,
    )
