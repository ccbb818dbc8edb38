"""`DossierClock.filing_limit`: the last day of the limit counted from filing, kept after the decision; existing
clocks are filled by `permits.clock.filing_limit` (the function the clock writes it with), in batches."""

from django.db import migrations, models

from permits.clock import clock_rules, filing_limit

BATCH = 2_000


def filing_limits_backfill(apps, schema_editor):
    """Fill the limit of every filed clock that has none, in batches by file id (memory stays flat)."""
    clocks = apps.get_model("permits", "DossierClock").objects
    after = 0
    while True:
        batch = list(
            clocks.filter(dossier_id__gt=after, filed_on__isnull=False, filing_limit__isnull=True)
            .select_related("dossier__procedure")
            .prefetch_related("dossier__procedure__step_deadlines")
            .order_by("dossier_id")[:BATCH]
        )
        if not batch:
            return
        for clock in batch:
            clock.filing_limit = filing_limit(clock=clock, rules=clock_rules(clock.dossier))
        clocks.bulk_update(batch, ["filing_limit"])
        after = batch[-1].dossier_id


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
