"""The site inspections' own handler on the bus: once `inspection.closed` commits, the inspector's PAdES signature
of the report is applied by Celery (`tasks.inspection_report_sign_task`)."""

from gis_core.events import subscriber
from permits.events import DossierEvent
from permits.inspections import events  # noqa: F401  (declares the names subscribed below)
from permits.inspections.tasks import inspection_report_sign_task


@subscriber("inspection.closed")
def report_sign_on_closed(event: DossierEvent) -> None:
    inspection_report_sign_task.delay(inspection_id=event.data["inspection"])
