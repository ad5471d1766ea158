"""DigestSent moves here from ``matching`` with its table and rows: the table
keeps its name (``db_table``), so this migration changes only Django's state and
the database is not touched."""

import django.db.models.deletion
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
                    name='DigestSent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('suggestions', 'new suggestions'), ('review_queue', 'suggestions to review')], max_length=20)),
                        ('day', models.DateField()),
                        ('items', models.PositiveIntegerField(default=0)),
                        ('sent_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'matching_digestsent',
                        'constraints': [models.UniqueConstraint(fields=('user', 'kind', 'day'), name='digest_once_a_day'), models.CheckConstraint(condition=models.Q(('kind__in', ['suggestions', 'review_queue'])), name='digest_kind')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
