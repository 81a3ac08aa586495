"""Per-cycle template overrides (issue 4 §1): 考核方案适用规则 / 例外 (CycleTemplateRule)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cycles", "0006_compute_storage"),
        ("indicators", "0002_builtin_library"),
        ("org", "0002_project_clients"),
        ("vendors", "0001_initial"),
        ("workers", "0002_list_sort_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CycleTemplateRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("target", models.CharField(choices=[("subject", "指定对象"), ("position", "岗位"),
                                                     ("position_category", "岗位类别"), ("vendor", "服务商"),
                                                     ("vendor_category", "服务商类别"), ("department", "部门")],
                                            max_length=20, verbose_name="适用于")),
                ("category", models.CharField(blank=True, max_length=30, verbose_name="类别")),
                ("cycle", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="template_rules",
                                            to="cycles.cycle", verbose_name="考核周期")),
                ("department", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="+", to="org.department", verbose_name="部门")),
                ("position", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                               related_name="+", to="org.position", verbose_name="岗位")),
                ("team", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to="cycles.team", verbose_name="团队")),
                ("template", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                               to="indicators.template", verbose_name="考核方案")),
                ("vendor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                             related_name="+", to="vendors.vendor", verbose_name="服务商")),
                ("worker", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                             related_name="+", to="workers.worker", verbose_name="外包人员")),
            ],
            options={
                "verbose_name": "考核方案适用规则",
                "verbose_name_plural": "考核方案适用规则",
                "ordering": ["cycle", "target", "id"],
                "constraints": [
                    models.UniqueConstraint(condition=models.Q(("target__in", ["position_category", "vendor_category"])),
                                            fields=("cycle", "target", "category"), name="unique_rule_category"),
                    models.UniqueConstraint(condition=models.Q(("target", "position")), fields=("cycle", "position"),
                                            name="unique_rule_position"),
                    models.UniqueConstraint(condition=models.Q(("target", "department")),
                                            fields=("cycle", "department"), name="unique_rule_department"),
                    models.UniqueConstraint(condition=models.Q(("vendor__isnull", False)),
                                            fields=("cycle", "target", "vendor"), name="unique_rule_vendor"),
                    models.UniqueConstraint(condition=models.Q(("worker__isnull", False)), fields=("cycle", "worker"),
                                            name="unique_rule_worker"),
                    models.UniqueConstraint(condition=models.Q(("team__isnull", False)), fields=("cycle", "team"),
                                            name="unique_rule_team"),
                ],
            },
        ),
    ]
