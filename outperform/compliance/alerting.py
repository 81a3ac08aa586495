"""Alert kinds of this app (registered from AppConfig.ready): overdue rectification notices and
overdue audit findings. Each evaluator reads with one query."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outperform.alerts.kinds import Candidate, Param, RuleContext, register_kind


def rectification_overdue(ctx: RuleContext) -> list[Candidate]:
    from .models import OPEN_NOTICE_STATES, RectificationNotice

    grace = int(ctx.params.get("days_after", 0) or 0)
    rows = RectificationNotice.objects.filter(state__in=OPEN_NOTICE_STATES).values_list(
        "pk", "number", "plan__title", "deadline", "vendor_id", "vendor__name")
    out = []
    for pk, number, title, deadline, vendor_id, vendor_name in rows.order_by("pk"):
        late = (ctx.today - deadline).days
        if late <= grace:
            continue
        out.append(Candidate(
            dedup_key=f"rectification_overdue:{pk}", title=_("整改通知逾期：%s") % title,
            message=_("%(v)s 的整改通知 %(no)s 已逾期 %(d)s 天") % {"v": vendor_name, "no": number, "d": late},
            subject=vendor_name, url=reverse("compliance:notices_detail", args=[pk]), vendor_id=vendor_id,
            escalate=True, data={"days_late": late}))
    return out


def finding_overdue(ctx: RuleContext) -> list[Candidate]:
    from .models import AuditFinding

    max_severity = int(ctx.params.get("max_severity", 4) or 4)
    rows = AuditFinding.objects.filter(is_open=True, due_date__lt=ctx.today, severity__lte=max_severity).values_list(
        "pk", "description", "severity", "due_date", "vendor_id", "vendor__name")
    return [
        Candidate(dedup_key=f"finding_overdue:{pk}", title=_("审查问题逾期未整改：%s") % desc[:60],
                  message=_("%(v)s 的 %(s)s 级问题已于 %(d)s 到期") % {"v": vname, "s": sev, "d": due.isoformat()},
                  subject=vname, url=reverse("compliance:findings_detail", args=[pk]), vendor_id=vendor_id,
                  escalate=sev == 1, data={"severity": sev})
        for pk, desc, sev, due, vendor_id, vname in rows.order_by("pk")
    ]


def register() -> None:
    register_kind("rectification_overdue", gettext_lazy("整改通知逾期"), rectification_overdue,
                  (Param("days_after", gettext_lazy("逾期超过天数"), "int", default=0, min=0, max=365),),
                  description=gettext_lazy("整改通知过了整改期限仍未关闭"))
    register_kind("finding_overdue", gettext_lazy("合规审查问题逾期"), finding_overdue,
                  (Param("max_severity", gettext_lazy("严重程度不低于（1 最重）"), "int", default=4, min=1, max=4),),
                  description=gettext_lazy("合规审查发现的问题过了整改期限仍未关闭"))
