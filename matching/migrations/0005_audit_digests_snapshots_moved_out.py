"""The audit log, digests and KPI snapshots moved to their own apps (``audit``,
``notifications``, ``insights``). Their tables stay where they are, under their old
names: only Django's state changes here, and the content types (with the admin's
permissions and history attached to them) follow the models."""

from django.db import migrations

MOVED = {"auditentry": "audit", "digestsent": "notifications", "kpisnapshot": "insights"}


def content_types_follow(apps, schema_editor, reverse=False):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        old, new = ("matching", app) if not reverse else (app, "matching")
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_back(apps, schema_editor):
    content_types_follow(apps, schema_editor, reverse=True)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("matching", "0004_suggestion_reports"),
        ("audit", "0001_initial"),
        ("insights", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='digestsent',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='kpisnapshot',
                    name='taken_by',
                ),
                migrations.DeleteModel(
                    name='AuditEntry',
                ),
                migrations.DeleteModel(
                    name='DigestSent',
                ),
                migrations.DeleteModel(
                    name='KpiSnapshot',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
