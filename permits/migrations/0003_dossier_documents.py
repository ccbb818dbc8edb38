"""Documents of a file (one row per uploaded version) and the trigger that makes those rows append-only."""

from pathlib import Path

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


class Migration(migrations.Migration):

    dependencies = [
        ('documents', '0002_immutable_trigger'),
        ('permits', '0002_audit_immutable'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DossierDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('document_type', models.SlugField(help_text='A required-document code of the procedure, or revised-plan / other.', max_length=64)),
                ('round_number', models.PositiveSmallIntegerField(help_text='Instruction round of the file when uploaded (0 before the first round).')),
                ('uploaded_at', models.DateTimeField(auto_now_add=True)),
                ('dossier', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='documents', to='permits.dossier')),
                ('required_document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='uploads', to='permits.requireddocument')),
                ('stored_document', models.OneToOneField(help_text='This version.', on_delete=django.db.models.deletion.PROTECT, related_name='dossier_document', to='documents.storeddocument')),
                ('uploaded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['dossier', 'uploaded_at', 'id'],
                'indexes': [models.Index(fields=['dossier', 'document_type'], name='permits_doc_dossier_type')],
            },
        ),
        migrations.RunSQL(
            sql=(SQL_DIR / "dossier_document_immutable.sql").read_text(encoding="utf-8"),
            reverse_sql=(SQL_DIR / "dossier_document_immutable_reverse.sql").read_text(encoding="utf-8"),
        ),
    ]
