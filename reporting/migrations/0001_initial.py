"""The annual report runs, kept by this app since it left `mappa/statistics` (app label
"statistics"). A database made before the move keeps its rows: the table and its index are
renamed, and the content type (which audit entries and permissions point at by id) is relabelled,
so the audit chain, which hashes content type ids, is untouched. A new database gets the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE, NEW_TABLE = "statistics_reportrun", "reporting_reportrun"
OLD_INDEX, NEW_INDEX = "statistics_run_area_idx", "reporting_run_area_idx"


def take_over_or_create(apps, schema_editor):
    ReportRun = apps.get_model("reporting", "ReportRun")
    if OLD_TABLE not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(ReportRun)
        return
    schema_editor.alter_db_table(ReportRun, OLD_TABLE, NEW_TABLE)
    old_index = models.Index(fields=["area", "-requested_at"], name=OLD_INDEX)
    new_index = models.Index(fields=["area", "-requested_at"], name=NEW_INDEX)
    schema_editor.rename_index(ReportRun, old_index, new_index)
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="reporting", model="reportrun").exists():
        ContentType.objects.filter(app_label="statistics", model="reportrun").update(app_label="reporting")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("agencies", "0002_area_screening_weekday"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ReportRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(help_text="The year in which the reporting period starts (1 April).")),
                        ("requested_at", models.DateTimeField(auto_now_add=True)),
                        ("status", models.CharField(choices=[("queued", "Waiting to start"), ("running", "Being prepared"), ("done", "Ready"), ("failed", "Failed")], default="queued", max_length=10)),
                        ("tables_done", models.PositiveSmallIntegerField(default=0)),
                        ("tables_total", models.PositiveSmallIntegerField(default=8)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("result", models.JSONField(blank=True, editable=False, null=True)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("area", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="report_runs", to="agencies.area")),
                        ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "ordering": ["-requested_at", "-pk"],
                        "indexes": [models.Index(fields=["area", "-requested_at"], name=NEW_INDEX)],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(take_over_or_create, migrations.RunPython.noop),
    ]
