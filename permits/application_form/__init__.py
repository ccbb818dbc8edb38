"""The application form the platform writes for the applicant, who signs it with a one-time code (no paper).

```
facts.py   what the form says, read from the file (procedure, applicant, architect and mandate, commune,
           parcels, project figures, the current documents with their SHA-256) and its fingerprint
           (`content_sha256`): signing binds that fingerprint; any later change asks for a new signature
pdf.py     the form as a bilingual (French, Arabic right-to-left) PDF/A-3b, through the commissions' WeasyPrint
           renderer, with the signature statement once signed
codes.py   one-time codes: drawn, hashed (HMAC with the site's key), compared in constant time; masked
           destinations ("+212 6•• •• •• 12", "a•••@example.ma")
```
The services are `permits.services.application`.
"""
