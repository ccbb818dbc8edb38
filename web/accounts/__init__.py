"""Accounts people create themselves, on django-allauth (`account`, `mfa`, `usersessions`):

- `adapter.py`: allauth's adapter: its e-mails go through the notification outbox (`gis_core.notifications`), the
  login stages (e-mail verification for self-registered accounts), the user's display name;
- `forms.py`: the sign-up form (name, e-mail, phone, CIN, applicant or architect with the order number) and the
  sign-in form (also takes the field `username` of older clients);
- `stages.py`: e-mail verification asked of the accounts people created themselves (an administrator vouches for
  the others);
- `middleware.py`: back-office roles set TOTP up, and use it, before any back-office page or API call;
- `views.py`: the phone change by SMS code, the personal data export, the account's deletion, the desk's list of
  architects to check.

The rules (profile, roles, architect check, codes, pseudonymisation) are the domain's: `permits.services.accounts`.
"""
