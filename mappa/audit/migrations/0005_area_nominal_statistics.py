from django.db import migrations

# A nominal's entries all lie in one area (or two, after a transfer), but PostgreSQL's planner takes
# "this area and this nominal" to be as rare as the two conditions multiplied, expects a couple of
# entries, and so reads every entry of the nominal and sorts them instead of walking the
# (nominal, time) index newest first and stopping at a page. The statistics tell it that the
# nominal all but decides the area.


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS audit_area_nominal_stats (dependencies) "
            "ON area_id, nominal_id FROM audit_auditentry"
        )
        schema_editor.execute("ANALYZE audit_auditentry")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS audit_area_nominal_stats")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_alter_auditentry_event")]

    operations = [migrations.RunPython(create_statistics, drop_statistics)]
