"""Cycle scope by named subjects; peers chosen by the supervisor."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cycles", "0002_appraisal_fillfactor"),
        ("vendors", "0001_initial"),
        ("workers", "0001_initial"),
    ]

    operations: list[migrations.operations.base.Operation] = [
        migrations.AddField(
            model_name="cycle",
            name="subjects_named_only",
            field=models.BooleanField(default=False, verbose_name="仅考核指定对象"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="include_workers",
            field=models.ManyToManyField(blank=True, related_name="+", to="workers.worker",
                                         verbose_name="指定纳入：外包人员"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="exclude_workers",
            field=models.ManyToManyField(blank=True, related_name="+", to="workers.worker",
                                         verbose_name="指定排除：外包人员"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="include_vendors",
            field=models.ManyToManyField(blank=True, related_name="+", to="vendors.vendor",
                                         verbose_name="指定纳入：服务商"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="exclude_vendors",
            field=models.ManyToManyField(blank=True, related_name="+", to="vendors.vendor",
                                         verbose_name="指定排除：服务商"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="include_teams",
            field=models.ManyToManyField(blank=True, related_name="+", to="cycles.team", verbose_name="指定纳入：团队"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="exclude_teams",
            field=models.ManyToManyField(blank=True, related_name="+", to="cycles.team", verbose_name="指定排除：团队"),
        ),
        migrations.AddField(
            model_name="cycle",
            name="peer_selection",
            field=models.CharField(choices=[("random", "随机抽取"), ("supervisor", "上级指定")], default="random",
                                   max_length=12, verbose_name="互评人产生方式"),
        ),
        migrations.AddField(
            model_name="appraisal",
            name="peers_chosen_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="互评人指定时间"),
        ),
    ]
