"""Built-in metric definitions for the measures the source documents name (docs/metrics.md
§Built-in). Codes match `Indicator.metric` of the built-in indicators where one exists. Loaded by
migrations 0002 and 0004 (existing codes are left as they are, so an edited definition survives):
each definition is added by the first of them whose model can hold it — formulas need the
`expression` column of 0003."""

from __future__ import annotations

from typing import Any


def _c(field: str, op: str, value: Any) -> dict[str, Any]:
    return {"field": field, "op": op, "value": value}


def _f(code: str, name: str, expression: str, unit: str, description: str) -> dict[str, Any]:
    return {"code": code, "name": name, "source": "", "aggregation": "formula", "expression": expression,
            "unit": unit, "description": description}


# fmt: off
BUILTIN: list[dict[str, Any]] = [
    {"code": "on_time_rate", "name": "及时率（按时交付率）", "source": "task", "aggregation": "ratio", "scale": "100",
     "unit": "%", "filters": [_c("on_time", "!=", None)], "numerator": [_c("on_time", "=", True)],
     "description": "已交付任务中按计划日期或之前交付的比例"},
    {"code": "delivery_on_time_rate", "name": "交付及时率", "source": "task", "aggregation": "ratio", "scale": "100",
     "unit": "%", "filters": [_c("on_time", "!=", None)], "numerator": [_c("on_time", "=", True)],
     "levels": ["vendor", "project", "department"], "description": "服务商已交付任务中按时交付的比例"},
    {"code": "first_pass_rate", "name": "一次验收通过率", "source": "task", "aggregation": "ratio", "scale": "100",
     "unit": "%", "filters": [_c("first_pass", "!=", None)], "numerator": [_c("first_pass", "=", True)],
     "description": "已验收或已退回的任务中，一次通过（已验收且无返工）的比例"},
    {"code": "tasks_assigned", "name": "分派任务数", "source": "task", "aggregation": "count", "unit": "个",
     "description": "计划完成日期在期间内的任务数"},
    {"code": "tasks_done", "name": "已完成任务数", "source": "task", "aggregation": "count", "unit": "个",
     "filters": [_c("delivered_date", "!=", None)], "description": "计划完成日期在期间内且已交付的任务数"},
    {"code": "task_completion_rate", "name": "任务完成率", "source": "task", "aggregation": "ratio", "scale": "100",
     "unit": "%", "numerator": [_c("delivered_date", "!=", None)], "description": "期间内到期任务中已交付的比例"},
    {"code": "error_rate", "name": "错误率（退回率）", "source": "task", "aggregation": "ratio", "scale": "100",
     "unit": "%", "filters": [_c("acceptance", "in", ["accepted", "rejected"])],
     "numerator": [_c("acceptance", "=", "rejected")], "description": "已有验收结论的任务中被退回的比例"},
    {"code": "rework_p90", "name": "返工次数 P90", "source": "task", "aggregation": "percentile",
     "field": "rework_count", "percentile": "90", "unit": "次", "description": "任务返工次数的第 90 百分位"},
    {"code": "sla_response_rate", "name": "SLA 响应达标率", "source": "ticket", "aggregation": "ratio", "scale": "100",
     "unit": "%", "filters": [_c("response_met", "!=", None)], "numerator": [_c("response_met", "=", True)],
     "description": "有响应时限的工单中按时首次响应的比例"},
    {"code": "sla_attainment_rate", "name": "SLA 解决达标率", "source": "ticket", "aggregation": "ratio",
     "scale": "100", "unit": "%", "filters": [_c("resolution_met", "!=", None)],
     "numerator": [_c("resolution_met", "=", True)], "description": "有解决时限的工单中按时解决的比例"},
    {"code": "resolution_rate", "name": "问题解决率", "source": "ticket", "aggregation": "ratio", "scale": "100",
     "unit": "%", "numerator": [_c("resolved", "=", True)], "description": "期间内开单的工单中已解决的比例"},
    {"code": "avg_response_minutes", "name": "平均响应用时（工作分钟）", "source": "ticket", "aggregation": "mean",
     "field": "response_minutes", "unit": "分钟", "description": "已响应工单的首次响应用时平均值（工作时间）"},
    {"code": "response_minutes_p90", "name": "响应用时 P90（工作分钟）", "source": "ticket",
     "aggregation": "percentile", "field": "response_minutes", "percentile": "90", "unit": "分钟"},
    {"code": "defect_count", "name": "缺陷/差错数", "source": "defect", "aggregation": "count", "unit": "个",
     "empty_as_zero": True},
    {"code": "major_defect_count", "name": "严重缺陷数", "source": "defect", "aggregation": "count", "unit": "个",
     "filters": [_c("severity", "in", ["major", "critical"])], "empty_as_zero": True},
    {"code": "complaint_count", "name": "客户投诉数", "source": "complaint", "aggregation": "count", "unit": "件",
     "empty_as_zero": True},
    {"code": "complaint_resolved_rate", "name": "投诉办结率", "source": "complaint", "aggregation": "ratio",
     "scale": "100", "unit": "%", "numerator": [_c("is_resolved", "=", True)]},
    {"code": "overdue_complaints", "name": "超期处理投诉数", "source": "complaint", "aggregation": "count", "unit": "件",
     "filters": [_c("handling_days", ">", 7)], "empty_as_zero": True,
     "description": "办结用时超过 7 天的投诉数（投诉处理指标按件扣分）"},
    {"code": "customer_satisfaction", "name": "客户满意度", "source": "survey_response", "aggregation": "mean",
     "field": "score", "unit": "分", "description": "满意度调查答卷得分（0–100）的平均值"},
    {"code": "satisfaction_score", "name": "满意度调查结果", "source": "survey_response", "aggregation": "mean",
     "field": "score", "unit": "分", "levels": ["vendor", "project", "department"]},
    {"code": "audit_score", "name": "质量检查/审计得分", "source": "inspection", "aggregation": "mean",
     "field": "score", "unit": "分"},
    {"code": "innovation_proposals", "name": "创新提案数", "source": "innovation", "aggregation": "count",
     "unit": "项", "empty_as_zero": True},
    {"code": "innovation_quality", "name": "创新提案质量（评审平均分）", "source": "innovation", "aggregation": "mean",
     "field": "evaluation_score", "unit": "分"},
    {"code": "innovation_adopted", "name": "采纳的创新提案数", "source": "innovation", "aggregation": "count",
     "unit": "项", "filters": [_c("adopted", "=", True)], "empty_as_zero": True},
    {"code": "cost_saving_fen", "name": "节约成本（分）", "source": "cost", "aggregation": "sum", "field": "saving_fen",
     "unit": "分", "description": "基准成本减外包成本之和，单位：分"},
    {"code": "turnover_count", "name": "离职人数", "source": "leaver", "aggregation": "count", "unit": "人",
     "empty_as_zero": True},
    {"code": "voluntary_turnover_count", "name": "主动离职人数", "source": "leaver", "aggregation": "count",
     "unit": "人", "filters": [_c("voluntary", "=", True)], "empty_as_zero": True},
    {"code": "avg_days_to_fill", "name": "平均到岗天数", "source": "recruitment", "aggregation": "mean",
     "field": "days_to_fill", "unit": "天"},
    {"code": "training_completion_rate", "name": "培训计划完成率", "source": "training_plan", "aggregation": "ratio",
     "scale": "100", "unit": "%", "numerator": [_c("completed", "=", True)]},
    {"code": "security_incidents", "name": "安全事故数", "source": "incident", "aggregation": "count", "unit": "起",
     "filters": [_c("kind", "in", ["infosec", "confidentiality"])], "empty_as_zero": True},
    {"code": "compliance_violations", "name": "合规违规数", "source": "incident", "aggregation": "count", "unit": "起",
     "filters": [_c("kind", "in", ["contract_breach", "regulatory"])], "empty_as_zero": True},
    {"code": "incident_count", "name": "安全合规事件数", "source": "incident", "aggregation": "count", "unit": "起",
     "empty_as_zero": True},
    # --- parts of the formulas below: sums over one source each ---------------------------------
    {"code": "benchmark_cost_fen", "name": "内部基准成本（分）", "source": "cost", "aggregation": "sum",
     "field": "benchmark_cost_fen", "unit": "分", "filters": [_c("benchmark_cost_fen", ">", 0)],
     "description": "填写了内部基准成本的成本记录的基准成本之和"},
    {"code": "benchmarked_cost_fen", "name": "外包成本（有基准的记录，分）", "source": "cost", "aggregation": "sum",
     "field": "outsourcing_cost_fen", "unit": "分", "filters": [_c("benchmark_cost_fen", ">", 0)],
     "description": "填写了内部基准成本的成本记录的外包成本之和，与 benchmark_cost_fen 对比"},
    {"code": "outsourcing_cost_fen", "name": "外包成本（分）", "source": "cost", "aggregation": "sum",
     "field": "outsourcing_cost_fen", "unit": "分", "description": "全部成本记录的外包成本之和"},
    {"code": "available_hours", "name": "可用工时", "source": "cost", "aggregation": "sum",
     "field": "available_hours", "unit": "小时"},
    {"code": "used_hours", "name": "实际工时", "source": "cost", "aggregation": "sum", "field": "used_hours",
     "unit": "小时"},
    {"code": "avg_headcount", "name": "平均在岗人数", "source": "headcount", "aggregation": "active_avg",
     "unit": "人", "description": "（期初在岗人数 + 期末在岗人数）÷ 2，在岗以入场、离场日期计"},
    {"code": "recruitment_cost_fen", "name": "招聘费用（分）", "source": "recruitment", "aggregation": "sum",
     "field": "cost_fen", "unit": "分"},
    {"code": "hires", "name": "到岗人数", "source": "recruitment", "aggregation": "sum", "field": "filled_count",
     "unit": "人", "description": "需求日期在期间内的招聘需求的到岗人数之和"},
    # --- formula metrics (two sources, or two sums of one) --------------------------------------
    _f("complaint_rate", "客户投诉率", "complaint_count / tasks_done * 1000", "‰",
       "每千个已交付任务的客户投诉数：投诉数 ÷ 期间内到期且已交付的任务数 × 1000"),
    _f("accuracy_rate", "准确率", "max(0, (tasks_done - defect_count) / tasks_done * 100)", "%",
       "无差错完成的工作项占比：（已交付任务数 − 缺陷/差错数）÷ 已交付任务数 × 100，不低于 0"),
    _f("cost_benefit_ratio", "成本效益比", "benchmark_cost_fen / benchmarked_cost_fen", "倍",
       "内部基准成本 ÷ 外包成本（仅计填写了基准成本的记录）；大于 1 表示外包更省"),
    _f("cost_saving_rate", "成本节约率", "(benchmark_cost_fen - benchmarked_cost_fen) / benchmark_cost_fen * 100",
       "%", "（内部基准成本 − 外包成本）÷ 内部基准成本 × 100（仅计填写了基准成本的记录）"),
    _f("total_cost_saving", "总成本节约（元）", "(benchmark_cost_fen - benchmarked_cost_fen) / 100", "元",
       "内部基准成本 − 外包成本（仅计填写了基准成本的记录），单位：元"),
    _f("resource_utilization", "资源利用率", "used_hours / available_hours * 100", "%",
       "成本记录中实际工时 ÷ 可用工时 × 100"),
    _f("turnover_rate", "人员流失率", "turnover_count / avg_headcount * 100", "%",
       "离职人数 ÷ 平均在岗人数 × 100；平均在岗人数 =（期初 + 期末）÷ 2"),
    _f("cost_per_hire", "人均招聘成本（元）", "recruitment_cost_fen / hires / 100", "元",
       "招聘费用 ÷ 到岗人数，单位：元"),
    _f("avg_response_hours", "平均响应用时（工作小时）", "avg_response_minutes / 60", "小时",
       "已响应工单的首次响应用时平均值（工作时间），单位：小时"),
]
# fmt: on


def load_builtin(metric_model: Any) -> int:
    """Insert the built-in definitions whose codes are not taken and that the model (historical, in a
    migration) can hold; returns how many were added."""
    from decimal import Decimal

    taken = set(metric_model.objects.values_list("code", flat=True))
    has_expression = any(f.name == "expression" for f in metric_model._meta.get_fields())
    rows = []
    for d in BUILTIN:
        if d["code"] in taken or (d.get("expression") and not has_expression):
            continue
        extra = {"expression": d["expression"]} if d.get("expression") else {}
        rows.append(metric_model(
            code=d["code"], name=d["name"], description=d.get("description", ""), source=d["source"],
            aggregation=d["aggregation"], field=d.get("field", ""),
            percentile=Decimal(d["percentile"]) if d.get("percentile") else None,
            filters=d.get("filters", []), numerator=d.get("numerator", []), scale=Decimal(d.get("scale", "1")),
            unit=d.get("unit", ""), levels=d.get("levels", []), empty_as_zero=d.get("empty_as_zero", False),
            is_active=True, is_builtin=True, **extra,
        ))
    metric_model.objects.bulk_create(rows)
    return len(rows)
