"""`DossierClock.filing_limit`: the last day of the limit counted from filing, kept after the decision; existing
clocks are filled by `permits.clock.filing_limit` (the function the clock writes it with), in batches."""

from django.db import migrations, models

from permits.clock import clock_rules, filing_limit

BATCH = 10_000
UPDATE = (
    "UPDATE permits_dossierclock c SET filing_limit = l.day"
    " FROM unnest(%s::bigint[], %s::date[]) AS l(dossier_id, day) WHERE c.dossier_id = l.dossier_id"
)  # one statement per batch


def filing_limits_backfill(apps, schema_editor):
    """Fill the limit of every filed clock whose procedure has a limit counted from filing, in batches by file id
    (memory stays flat)."""
    procedures = apps.get_model("permits", "Procedure").objects.prefetch_related("step_deadlines")
    rules = {procedure.pk: clock_rules(procedure) for procedure in procedures}
    clocks = (
        apps.get_model("permits", "DossierClock")
        .objects.filter(filed_on__isnull=False, filing_limit__isnull=True)
        .order_by("dossier_id")
        .values_list("dossier_id", "filed_on", "filing_paused_days", "dossier__procedure_id")
    )
    after = 0
    while batch := list(clocks.filter(dossier_id__gt=after)[:BATCH]):
        limits = {
            dossier_id: filing_limit(filed_on=filed_on, paused_days=paused_days, rules=rules[procedure_id])
            for dossier_id, filed_on, paused_days, procedure_id in batch
        }
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(UPDATE, [list(limits), list(limits.values())])
        after = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0016_auditevent_action_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierclock",
            name="filing_limit",
            field=models.DateField(
                blank=True, help_text="Last day of the limit counted from filing, kept after the decision.", null=True
            ),
        ),
        migrations.RunPython(filing_limits_backfill, migrations.RunPython.noop),
    ]
