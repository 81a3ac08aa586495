"""Demo alert rules and their alerts, evaluated on the demo data; a disabled example WeCom channel."""

from __future__ import annotations

from outperform.core.demo.loader import DemoContext
from outperform.notifications.models import Channel, ChannelKind

from .models import AlertRule, OwnerMode, Severity
from .services import alerts_evaluate

RULES = [
    # name, kind, params, severity, owner mode
    ("外包合同 60 天内到期", "contract_expiring", {"days": 60, "critical_days": 15}, Severity.WARNING,
     OwnerMode.VENDOR_MANAGER),
    ("连续两次考核不合格", "fail_streak", {"times": 2}, Severity.CRITICAL, OwnerMode.SUPERVISOR),
    ("评价任务逾期未提交", "evaluation_deadline", {"days_before": 0, "when": "missed"}, Severity.WARNING,
     OwnerMode.SUPERVISOR),
    ("综合得分连续两期低于 60 分", "indicator_threshold", {"threshold": "60", "op": "lt", "periods": 2},
     Severity.WARNING, OwnerMode.SUPERVISOR),
    ("申诉 7 天内未处理", "appeal_deadline", {"within_days": 7, "days_before": 2}, Severity.WARNING, OwnerMode.USER),
    ("SLA 即将超时或已超时（逐单）", "sla_breach", {"hours_before": 4}, Severity.WARNING, OwnerMode.VENDOR_MANAGER),
    ("服务商 SLA 超时工单汇总", "sla_breach", {"statuses": "breached", "group": "vendor"}, Severity.WARNING,
     OwnerMode.USER),
    ("部门任务及时率连续两周低于 80%", "metric_threshold",
     {"metric": "on_time_rate", "level": "department", "op": "lt", "threshold": "80", "period": "week", "periods": 2},
     Severity.WARNING, OwnerMode.SUPERVISOR),
    ("服务商任务及时率连续两个月低于 85%", "metric_threshold",
     {"metric": "on_time_rate", "level": "vendor", "op": "lt", "threshold": "85", "period": "month", "periods": 2},
     Severity.WARNING, OwnerMode.VENDOR_MANAGER),
    ("服务商 SLA 解决达标率连续两个月低于 90%", "metric_threshold",
     {"metric": "sla_attainment_rate", "level": "vendor", "op": "lt", "threshold": "90", "period": "month",
      "periods": 2}, Severity.CRITICAL, OwnerMode.VENDOR_MANAGER),
    ("改进计划及里程碑到期提醒", "improvement_plan_deadline", {"days_before": 5}, Severity.WARNING,
     OwnerMode.RECORD_OWNER),
]
# Cheap on the big benchmark load too: a constant number of queries each, no per-period engine calls.
QUICK_KINDS = ("contract_expiring", "sla_breach", "improvement_plan_deadline")


def load(ctx: DemoContext) -> None:
    hr = ctx.users["hr"]
    channel, _created = Channel.objects.get_or_create(
        name="运营中心企业微信群（示例）",
        defaults={"kind": ChannelKind.WECOM, "enabled": False,
                  "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-demo-0000-0000-000000000000",
                  "note": "示例渠道：填入真实机器人地址并启用后，新预警会推送到群里"},
    )
    for name, kind, params, severity, owner_mode in RULES:
        rule, created = AlertRule.objects.get_or_create(
            name=name, defaults={"kind": kind, "params": params, "severity": severity, "owner_mode": owner_mode,
                                 "owner": hr})
        if created and kind == "contract_expiring":
            rule.channels.add(channel)
    # Only the quick kinds on a big benchmark load; everything on the demo-sized one.
    rules = None if ctx.small else list(AlertRule.objects.filter(kind__in=QUICK_KINDS))
    alerts_evaluate(today=ctx.today, rules=rules)
