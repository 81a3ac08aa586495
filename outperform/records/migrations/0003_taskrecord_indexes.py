"""The task table's indexes, trimmed to those a query uses (docs/records.md, "Indexes of the task
table"): the single-column foreign-key indexes go — each link is indexed with the period date
instead, which serves the same lookups and the metric queries besides — and so does PostgreSQL's
`external_id … varchar_pattern_ops` twin of the unique index, which only a LIKE 'prefix%' query
would use (searches are `icontains`, which no b-tree serves). Ten indexes became seven; each one
costs every ingested row an index entry."""

import django.db.models.deletion
from django.db import migrations, models

LIKE_INDEX = "records_taskrecord_external_id_3c61b777_like"  # Django's name for the twin
FK_INDEXES = (  # Django's names for the foreign keys' own indexes (the same on SQLite and PostgreSQL)
    ("records_taskrecord_department_id_fbbd04c5", "department_id"),
    ("records_taskrecord_project_id_92613eb7", "project_id"),
    ("records_taskrecord_vendor_id_e04ee0d8", "vendor_id"),
    ("records_taskrecord_worker_id_6a2937aa", "worker_id"),
)


def drop_like_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(LIKE_INDEX)}")


def create_like_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(LIKE_INDEX)} "
            "ON records_taskrecord (external_id varchar_pattern_ops)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_project_clients'),
        ('records', '0002_default_calendar_cn_2026'),
        ('vendors', '0001_initial'),
        ('workers', '0001_initial'),
    ]

    operations = [
        # Only the index goes: AlterField would also drop and re-add (re-validate) each foreign key.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='taskrecord',
                    name='department',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='部门'),
                ),
                migrations.AlterField(
                    model_name='taskrecord',
                    name='project',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.project', verbose_name='项目'),
                ),
                migrations.AlterField(
                    model_name='taskrecord',
                    name='vendor',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='vendors.vendor', verbose_name='服务商'),
                ),
                migrations.AlterField(
                    model_name='taskrecord',
                    name='worker',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='workers.worker', verbose_name='外包人员'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f"DROP INDEX IF EXISTS {name}", f"CREATE INDEX IF NOT EXISTS {name} ON records_taskrecord ({column})")
                for name, column in FK_INDEXES
            ],
        ),
        migrations.AddIndex(
            model_name='taskrecord',
            index=models.Index(condition=models.Q(('project__isnull', False)), fields=['project', 'due_date'], name='records_task_project_due'),
        ),
        migrations.AddIndex(
            model_name='taskrecord',
            index=models.Index(condition=models.Q(('department__isnull', False)), fields=['department', 'due_date'], name='records_task_department_due'),
        ),
        migrations.RunPython(drop_like_index, create_like_index, elidable=False),
    ]
