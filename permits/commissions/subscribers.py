"""The commissions' own handler on the event bus (`gis_core.events`), subscribed by its decorator when
`CommissionsConfig.ready` imports this module.

`commission.signature_requested`, after commit: the PAdES signature is applied by Celery
(`tasks.signature_request_run_task`, idempotent, takes the request's id). Going through the bus keeps
`signatures` free of `tasks`, which imports it.
"""

from gis_core.events import subscriber
from permits.commissions.tasks import signature_request_run_task
from permits.events import SignatureRequested


@subscriber("commission.signature_requested")
def signature_run_on_requested(event: SignatureRequested) -> None:
    signature_request_run_task.delay(request_id=event.request_id)
