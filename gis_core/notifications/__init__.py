"""Notification delivery kernel: e-mail and SMS deliveries, recorded, sent on commit by Celery, retried with backoff.

Domain apps call `services.notification_schedule` (after `services.notification_render` for templated text);
they never talk to a channel directly. See `models.Delivery` for the personal-data rules of the delivery log.
"""
