"""KpiSnapshot moves here from ``matching`` with its table and rows: the table
keeps its name (``db_table``), so this migration changes only Django's state and
the database is not touched."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('matching', '0004_suggestion_reports'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='KpiSnapshot',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('period', models.CharField(max_length=7, verbose_name='period')),
                        ('kind', models.CharField(choices=[('baseline', 'baseline (nulmeting)'), ('quarter', 'end of quarter')], max_length=10, verbose_name='kind')),
                        ('taken_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='taken at')),
                        ('figures', models.JSONField(verbose_name='figures')),
                        ('taken_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='taken by')),
                    ],
                    options={
                        'verbose_name': 'KPI snapshot',
                        'verbose_name_plural': 'KPI snapshots',
                        'db_table': 'matching_kpisnapshot',
                        'ordering': ['-taken_at'],
                        'constraints': [models.UniqueConstraint(fields=('period', 'kind'), name='kpi_snapshot_unique'), models.CheckConstraint(condition=models.Q(('kind__in', ['baseline', 'quarter'])), name='kpi_snapshot_kind_valid')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
