"""AuditEntry moves here from ``matching`` with its table and rows: the table
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
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='when')),
                        ('action', models.CharField(choices=[('transition', 'state changed'), ('view', 'personal data viewed')], max_length=10, verbose_name='action')),
                        ('from_state', models.CharField(blank=True, max_length=20, verbose_name='from')),
                        ('to_state', models.CharField(blank=True, max_length=20, verbose_name='to')),
                        ('reason', models.TextField(blank=True, verbose_name='reason')),
                        ('actor', models.ForeignKey(blank=True, help_text='Empty when MaakMatch itself acted (an opening expired or filled).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='who')),
                        ('match', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='audit_entries', to='matching.match', verbose_name='match')),
                        ('student', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='student')),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit log',
                        'db_table': 'matching_auditentry',
                        'ordering': ['-created_at', '-pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('action__in', ['transition', 'view'])), name='audit_action_valid'), models.CheckConstraint(condition=models.Q(models.Q(('action', 'transition'), _negated=True), models.Q(models.Q(('from_state', ''), _negated=True), models.Q(('to_state', ''), _negated=True)), _connector='OR'), name='audit_transition_has_states')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
