"""The built-in indicator library (内置指标库) and two ready templates.

Every measure the source documents name is here, so a fresh install can open its first cycle
without typing an indicator. `load_builtin_library` is idempotent and only ever *adds*: a row whose
code already exists is left as the customer edited it. The data migration
`0002_builtin_library` calls it with the migration's historical models; demo data and tests may call
it with the real ones (`load_builtin_library()`).

Rules are written in the scoring engine's own dict form (`outperform.scoring.rule_to_dict`) and are
normalised through the engine when loaded, so a typo here fails the migration instead of a cycle.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from outperform import scoring

# Behaviour anchors share one scale so raters compare like with like across indicators.
LEVEL_SCORES = (
    (100, "卓越"),
    (85, "良好"),
    (70, "合格"),
    (55, "待改进"),
    (40, "不合格"),
)

DIMENSIONS: list[dict[str, Any]] = [
    {"code": "PERF", "name": "工作业绩", "name_en": "Work performance"},
    {"code": "EFFIC", "name": "工作效率", "name_en": "Work efficiency"},
    {"code": "QUALITY", "name": "工作质量", "name_en": "Work quality"},
    {"code": "TEAM", "name": "团队协作", "name_en": "Teamwork"},
    {"code": "SKILL", "name": "专业技能", "name_en": "Professional skills"},
    {"code": "CUSTOMER", "name": "客户满意度", "name_en": "Customer satisfaction"},
    {"code": "COST", "name": "成本效益", "name_en": "Cost-effectiveness"},
    {"code": "COMM", "name": "沟通协作", "name_en": "Communication and cooperation"},
    {"code": "INNOV", "name": "创新能力", "name_en": "Innovation"},
    {"code": "COMPLY", "name": "合规与风险", "name_en": "Compliance and risk"},
    {"code": "DELIVERY", "name": "交付时间", "name_en": "Delivery time"},
    {"code": "SLA", "name": "服务水平(SLA)", "name_en": "Service level (SLA)"},
    {"code": "HRS", "name": "人力资源服务", "name_en": "HR services"},
]


def _levels(*descriptions: str) -> list[dict[str, Any]]:
    assert len(descriptions) == len(LEVEL_SCORES)
    return [
        {"score": score, "label": label, "description": text}
        for (score, label), text in zip(LEVEL_SCORES, descriptions, strict=True)
    ]


def _linear(floor: str, target: str, lower: bool = False) -> dict[str, Any]:
    return {"type": "linear", "floor": floor, "target": target,
            "direction": "lower_is_better" if lower else "higher_is_better"}


def _bands(*bands: tuple[str | None, str | None, str]) -> dict[str, Any]:
    return {"type": "bands", "bands": [{"lower": lo, "upper": hi, "score": s} for lo, hi, s in bands]}


def _deduction(per_event: str) -> dict[str, Any]:
    return {"type": "deduction", "per_event": per_event, "start": "100", "minimum": "0"}


def _formula(expression: str) -> dict[str, Any]:
    return {"type": "formula", "expression": expression}


SELF_SUP_PEER = ["self", "supervisor", "peer"]
WITH_CLIENT = ["self", "supervisor", "peer", "client"]
VENDOR_RATERS = ["supervisor", "client"]

# fmt: off
INDICATORS: list[dict[str, Any]] = [
    # ---------------------------------------------------------------- workers (外包人员)
    {
        "code": "w_goal_achievement", "name": "工作目标达成（质量/时间/成本）",
        "name_en": "Goal achievement (quality / time / cost)", "dimension": "PERF",
        "kind": "quantitative", "subject_kind": "worker", "unit": "%", "direction": "higher",
        "metric": "goal_completion", "rule": _linear("0", "100"),
        "description": "按考核期初与上级约定的绩效目标（SMART）逐项评估完成度，每个目标综合质量、时间、成本三个要素；"
                       "完成度取各目标按权重的加权平均（%）。完成度 100% 得 100 分，0% 得 0 分，中间线性计分。",
    },
    {
        "code": "w_task_completion", "name": "任务完成情况", "name_en": "Task completion",
        "dimension": "PERF", "kind": "quantitative", "subject_kind": "worker", "unit": "%",
        "direction": "higher", "metric": "tasks_done", "rule": _formula("value / tasks_assigned * 100"),
        "description": "考核期内按期完成的任务数（tasks_done）占分派任务数（tasks_assigned）的比例；"
                       "得分 = 完成数 ÷ 分派数 × 100，封顶 100 分；未分派任务时本指标不计分。",
    },
    {
        "code": "w_efficiency", "name": "工作效率", "name_en": "Work efficiency", "dimension": "EFFIC",
        "kind": "qualitative", "subject_kind": "worker", "direction": "higher", "rater_roles": SELF_SUP_PEER,
        "description": "完成工作任务所需的时间与预期目标的对比，以及时间管理与工作安排能力。",
        "levels": _levels(
            "任务用时普遍明显短于计划（约 20% 以上），能合理安排优先级并同时推进多项工作，从不因自身原因拖延。",
            "绝大多数任务按时或提前完成，工作安排有条理；偶有延误能主动说明并及时补救。",
            "基本能在计划时间内完成任务，需要上级偶尔督促；延误不影响团队整体进度。",
            "经常需要督促，多项任务超出计划时间，时间管理和优先级安排不足。",
            "频繁拖延，多次因自身原因延误交付并影响团队或客户。",
        ),
    },
    {
        "code": "w_quality", "name": "工作质量", "name_en": "Work quality", "dimension": "QUALITY",
        "kind": "qualitative", "subject_kind": "worker", "direction": "higher", "rater_roles": WITH_CLIENT,
        "description": "工作成果的准确性、完整性和规范性，差错与返工情况。",
        "levels": _levels(
            "成果一次通过率高，几乎无差错和返工，并能主动发现、纠正流程中的质量隐患。",
            "成果符合质量标准，偶有小差错能自行发现并及时更正，无客户投诉。",
            "成果基本达到标准，存在少量差错，经他人检查后修改，未造成明显影响。",
            "差错较多，多次返工，需要上级或同事反复把关。",
            "经常出现严重差错，造成返工、客户投诉或经济损失。",
        ),
    },
    {
        "code": "w_problem_solving", "name": "问题解决能力", "name_en": "Problem solving", "dimension": "PERF",
        "kind": "qualitative", "subject_kind": "worker", "direction": "higher", "rater_roles": SELF_SUP_PEER,
        "description": "发现、分析并解决工作中问题的能力。",
        "levels": _levels(
            "能独立分析复杂问题的根本原因并提出有效方案，推动问题彻底解决，并总结经验防止再次发生。",
            "能独立解决岗位内的常见及较复杂问题，必要时主动寻求资源，处理及时有效。",
            "能解决常规问题，复杂问题需在指导下完成。",
            "遇到问题常依赖他人，分析不到位，处理效果有限。",
            "回避问题或处理不当，导致问题扩大或反复发生。",
        ),
    },
    {
        "code": "w_attitude", "name": "工作积极性与态度", "name_en": "Initiative and attitude", "dimension": "PERF",
        "kind": "qualitative", "subject_kind": "worker", "direction": "higher", "rater_roles": SELF_SUP_PEER,
        "description": "工作主动性、责任心、纪律性与服务态度。",
        "levels": _levels(
            "主动承担额外和困难任务，责任心强，始终遵守纪律，积极带动团队氛围。",
            "工作认真负责，乐于接受新任务，遵守考勤与规章制度。",
            "能完成分内工作，态度端正，偶有需要提醒之处。",
            "工作被动，需多次督促，偶有违反纪律或推诿现象。",
            "消极怠工、推诿责任或多次违反规章制度。",
        ),
    },
    {
        "code": "w_teamwork", "name": "团队协作", "name_en": "Teamwork", "dimension": "TEAM",
        "kind": "qualitative", "subject_kind": "worker", "direction": "higher", "rater_roles": SELF_SUP_PEER,
        "description": "与团队成员之间的沟通、合作与协调能力，知识分享与协同工作。",
        "levels": _levels(
            "主动分享知识与经验，积极支援同事，善于协调分歧，明显提升团队凝聚力和整体产出。",
            "乐于配合他人，信息共享及时，与团队成员合作关系良好。",
            "能按要求配合团队工作，与同事相处融洽，基本没有协作障碍。",
            "协作意愿不足，信息传递不及时，偶尔影响团队进度。",
            "拒绝配合或制造矛盾，严重影响团队工作。",
        ),
    },
    {
        "code": "w_skill", "name": "专业技能", "name_en": "Professional skills", "dimension": "SKILL",
        "kind": "qualitative", "subject_kind": "worker", "direction": "higher", "rater_roles": SELF_SUP_PEER,
        "description": "按岗位要求对专业知识与技能的掌握程度。",
        "levels": _levels(
            "精通岗位所需知识与技能，能解决疑难问题并指导他人，是团队公认的业务骨干。",
            "熟练掌握岗位技能，能独立、高质量地完成各类工作。",
            "掌握岗位基本技能，能独立完成常规工作。",
            "部分岗位技能掌握不足，需要他人较多指导。",
            "技能明显不能满足岗位要求。",
        ),
    },
    {
        "code": "w_communication", "name": "沟通表达", "name_en": "Communication", "dimension": "COMM",
        "kind": "qualitative", "subject_kind": "worker", "direction": "higher", "rater_roles": WITH_CLIENT,
        "description": "口头与书面表达的清晰度、准确性，倾听与理解他人需求的能力。",
        "levels": _levels(
            "表达清晰准确、有说服力，善于倾听，能与客户及各方高效沟通并化解分歧。",
            "表达清楚，书面与口头沟通准确及时，能有效理解他人需求。",
            "能基本清楚地表达意见，日常沟通无明显障碍。",
            "表达不够清晰，时有误解或信息遗漏，需他人反复确认。",
            "沟通不畅，多次因沟通问题造成差错或客户不满。",
        ),
    },
    {
        "code": "w_learning", "name": "自我学习与能力提升", "name_en": "Self-learning and development",
        "dimension": "SKILL", "kind": "qualitative", "subject_kind": "worker", "direction": "higher",
        "rater_roles": ["self", "supervisor"],
        "description": "主动学习新知识、新技能并应用于工作的情况，培训参与与完成情况。",
        "levels": _levels(
            "主动制定学习计划并坚持执行，考取相关证书或掌握新技能，并把所学用于工作、分享给团队。",
            "积极参加培训并完成学习任务，能把新知识运用到工作中。",
            "按要求参加培训，完成规定的学习任务。",
            "学习主动性不足，培训任务完成不完整。",
            "拒绝或多次缺席培训，技能长期停滞不前。",
        ),
    },
    {
        "code": "w_customer_satisfaction", "name": "客户满意度", "name_en": "Customer satisfaction",
        "dimension": "CUSTOMER", "kind": "quantitative", "subject_kind": "worker", "unit": "%",
        "direction": "higher", "metric": "customer_satisfaction", "rule": _linear("60", "95"),
        "description": "客户反馈、调查问卷中对本人服务表现和态度的满意度（%）。60% 及以下 0 分，95% 及以上 100 分，中间线性计分。",
    },
    {
        "code": "w_on_time_rate", "name": "及时率", "name_en": "On-time rate", "dimension": "DELIVERY",
        "kind": "quantitative", "subject_kind": "worker", "unit": "%", "direction": "higher",
        "metric": "on_time_rate", "rule": _linear("80", "100"),
        "description": "按时完成的工作项占应完成工作项的比例（%）。80% 及以下 0 分，100% 得 100 分，中间线性计分。",
    },
    {
        "code": "w_accuracy", "name": "准确率", "name_en": "Accuracy rate", "dimension": "QUALITY",
        "kind": "quantitative", "subject_kind": "worker", "unit": "%", "direction": "higher",
        "metric": "accuracy_rate",
        "rule": _bands((None, "90", "40"), ("90", "95", "60"), ("95", "98", "80"), ("98", "99.5", "90"),
                       ("99.5", None, "100")),
        "description": "无差错完成的工作项占全部工作项的比例（%），按分段计分：≥99.5% 100 分，98%–99.5% 90 分，"
                       "95%–98% 80 分，90%–95% 60 分，低于 90% 40 分。",
    },
    # ---------------------------------------------------------------- vendors (服务商)
    {
        "code": "v_on_time_delivery", "name": "交付及时率", "name_en": "On-time delivery rate",
        "dimension": "DELIVERY", "kind": "quantitative", "subject_kind": "vendor", "unit": "%",
        "direction": "higher", "metric": "delivery_on_time_rate", "rule": _linear("80", "100"),
        "description": "按各阶段、各任务截止日期跟踪，按时交付的比例（%）。80% 及以下 0 分，100% 得 100 分。",
    },
    {
        "code": "v_error_rate", "name": "错误率", "name_en": "Error rate", "dimension": "QUALITY",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "%", "direction": "lower",
        "metric": "error_rate", "rule": _linear("5", "0.5", lower=True),
        "description": "交付的产品或服务中出现差错的比例（%），越低越好：≤0.5% 得 100 分，≥5% 得 0 分，中间线性计分。",
    },
    {
        "code": "v_complaint_rate", "name": "客户投诉率", "name_en": "Customer complaint rate",
        "dimension": "QUALITY", "kind": "quantitative", "subject_kind": "vendor", "unit": "‰",
        "direction": "lower", "metric": "complaint_rate",
        "rule": _bands((None, "1", "100"), ("1", "3", "85"), ("3", "5", "70"), ("5", "10", "50"), ("10", None, "0")),
        "description": "每千笔服务中的有效客户投诉数（‰），越低越好：<1‰ 100 分，1‰–3‰ 85 分，3‰–5‰ 70 分，"
                       "5‰–10‰ 50 分，≥10‰ 0 分。",
    },
    {
        "code": "v_satisfaction", "name": "满意度调查结果", "name_en": "Satisfaction survey score",
        "dimension": "CUSTOMER", "kind": "quantitative", "subject_kind": "vendor", "unit": "%",
        "direction": "higher", "metric": "satisfaction_score", "rule": _linear("60", "90"),
        "description": "定期客户满意度调查的满意率（%）。目标为 90% 以上：≥90% 得 100 分，≤60% 得 0 分。",
    },
    {
        "code": "v_cost_saving", "name": "总成本节约", "name_en": "Total cost saving", "dimension": "COST",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "%", "direction": "higher",
        "metric": "cost_saving_rate", "rule": _linear("0", "15"),
        "description": "与基准成本（或内部团队成本）相比节约的比例（%）。节约 15% 及以上 100 分，无节约 0 分。",
    },
    {
        "code": "v_resource_utilization", "name": "资源利用率", "name_en": "Resource utilisation",
        "dimension": "COST", "kind": "quantitative", "subject_kind": "vendor", "unit": "%",
        "direction": "higher", "metric": "resource_utilization", "rule": _linear("60", "90"),
        "description": "投入的人员、设备、培训等资源的有效利用比例（%）。≥90% 100 分，≤60% 0 分。",
    },
    {
        "code": "v_response_speed", "name": "响应速度", "name_en": "Response speed", "dimension": "COMM",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "小时", "direction": "lower",
        "metric": "avg_response_hours", "rule": _linear("24", "2", lower=True),
        "description": "从提出需求或问题到服务商首次有效响应的平均时长（小时），越短越好：≤2 小时 100 分，≥24 小时 0 分。",
    },
    {
        "code": "v_communication_accuracy", "name": "沟通准确度", "name_en": "Communication accuracy",
        "dimension": "COMM", "kind": "qualitative", "subject_kind": "vendor", "direction": "higher",
        "rater_roles": VENDOR_RATERS,
        "description": "信息传递、报告与反馈的准确性、完整性和及时性。",
        "levels": _levels(
            "信息传递准确完整，报告与反馈及时规范，从未因沟通失误造成问题。",
            "沟通准确及时，偶有小的信息偏差能迅速更正。",
            "沟通基本准确，需要甲方偶尔追问或确认。",
            "信息传递时有遗漏或错误，需要反复确认。",
            "多次因沟通错误导致交付偏差或业务损失。",
        ),
    },
    {
        "code": "v_problem_solving", "name": "问题解决能力", "name_en": "Problem solving", "dimension": "COMM",
        "kind": "qualitative", "subject_kind": "vendor", "direction": "higher", "rater_roles": VENDOR_RATERS,
        "description": "对合作中出现问题的响应、定位与解决能力，以及预防同类问题的措施。",
        "levels": _levels(
            "问题发生后迅速响应，准确定位根因，提出并落实长效方案，主动预防同类问题。",
            "能及时有效地解决问题，并提交问题分析与改进报告。",
            "能在约定时间内解决问题，但缺少根因分析。",
            "问题处理迟缓，需要甲方多次推动。",
            "问题长期得不到解决或反复出现。",
        ),
    },
    {
        "code": "v_innovation", "name": "创新方案数量与质量", "name_en": "Innovation proposals (number and quality)",
        "dimension": "INNOV", "kind": "quantitative", "subject_kind": "vendor", "unit": "项",
        "direction": "higher", "metric": "innovation_proposals",
        "rule": _formula("min(100, value * 20) * 0.5 + coalesce(innovation_quality, 0) * 0.5"),
        "description": "数量与质量各占一半：被采纳的创新方案每项 20 分（5 项封顶 100 分）；"
                       "质量为甲方评审的平均分 innovation_quality（0–100），未评审按 0 分计。",
    },
    {
        "code": "v_recruitment_speed", "name": "招聘速度", "name_en": "Recruitment speed (time to fill)",
        "dimension": "HRS", "kind": "quantitative", "subject_kind": "vendor", "unit": "天",
        "direction": "lower", "metric": "avg_days_to_fill", "rule": _linear("30", "7", lower=True),
        "description": "从提出用人需求到人员到岗的平均天数，越短越好：≤7 天 100 分，≥30 天 0 分。",
    },
    {
        "code": "v_turnover_control", "name": "员工离职率控制", "name_en": "Staff turnover control",
        "dimension": "HRS", "kind": "quantitative", "subject_kind": "vendor", "unit": "%",
        "direction": "lower", "metric": "turnover_rate",
        "rule": _bands((None, "5", "100"), ("5", "10", "85"), ("10", "15", "70"), ("15", "20", "55"),
                       ("20", None, "30")),
        "description": "考核期内派驻人员的离职率（%），越低越好：<5% 100 分，5%–10% 85 分，10%–15% 70 分，"
                       "15%–20% 55 分，≥20% 30 分。",
    },
    {
        "code": "v_training_completion", "name": "培训计划完成率", "name_en": "Training plan completion rate",
        "dimension": "HRS", "kind": "quantitative", "subject_kind": "vendor", "unit": "%",
        "direction": "higher", "metric": "training_completion_rate", "rule": _linear("60", "100"),
        "description": "已完成的培训项目占培训计划的比例（%）。100% 得 100 分，≤60% 0 分。",
    },
    {
        "code": "v_employee_satisfaction", "name": "员工满意度", "name_en": "Employee satisfaction",
        "dimension": "HRS", "kind": "quantitative", "subject_kind": "vendor", "unit": "%",
        "direction": "higher", "metric": "employee_satisfaction", "rule": _linear("60", "90"),
        "description": "派驻员工满意度调查的满意率（%）。≥90% 100 分，≤60% 0 分。",
    },
    {
        "code": "v_complaint_handling", "name": "投诉处理", "name_en": "Complaint handling", "dimension": "CUSTOMER",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "件", "direction": "lower",
        "metric": "overdue_complaints", "rule": _deduction("10"),
        "description": "服务投诉应在约定时限内处理完毕并反馈；每有 1 件超时未处理的投诉扣 10 分，扣完为止。",
    },
    {
        "code": "v_recruitment_cost", "name": "招聘成本", "name_en": "Cost per hire", "dimension": "COST",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "元", "direction": "lower",
        "metric": "cost_per_hire", "rule": _linear("5000", "1500", lower=True),
        "description": "平均每招聘到岗 1 人的成本（元），越低越好：≤1500 元 100 分，≥5000 元 0 分。",
    },
    {
        "code": "v_compliance", "name": "合规与风险控制", "name_en": "Compliance and risk control",
        "dimension": "COMPLY", "kind": "quantitative", "subject_kind": "vendor", "unit": "次",
        "direction": "lower", "metric": "compliance_violations", "rule": _deduction("20"),
        "description": "是否符合法律法规和合同约定（用工合规、保密义务、资质等），以及对潜在风险的预防和控制；"
                       "每发现 1 次违规或重大风险隐患扣 20 分。",
    },
    {
        "code": "v_info_security", "name": "信息安全", "name_en": "Information security", "dimension": "COMPLY",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "次", "direction": "lower",
        "metric": "security_incidents", "rule": _deduction("50"),
        "description": "信息安全审核、培训执行情况及安全事件；每发生 1 起信息安全事件扣 50 分。"
                       "造成数据泄露的重大事故另按方案的一票否决项处理。",
    },
    {
        "code": "v_resolution_rate", "name": "问题解决率", "name_en": "Problem resolution rate", "dimension": "SLA",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "%", "direction": "higher",
        "metric": "resolution_rate", "rule": _linear("80", "100"),
        "description": "在约定时限内解决的问题占受理问题的比例（%），衡量解决问题的及时性和准确性。100% 得 100 分，≤80% 0 分。",
    },
    {
        "code": "v_sla_rate", "name": "SLA 达成率", "name_en": "SLA attainment rate", "dimension": "SLA",
        "kind": "quantitative", "subject_kind": "vendor", "unit": "%", "direction": "higher",
        "metric": "sla_attainment_rate",
        "rule": _bands((None, "90", "0"), ("90", "95", "60"), ("95", "97", "80"), ("97", "99", "90"),
                       ("99", None, "100")),
        "description": "服务等级协议（响应时间、解决时间等）中达标事项的比例（%）：≥99% 100 分，97%–99% 90 分，"
                       "95%–97% 80 分，90%–95% 60 分，<90% 0 分。",
    },
    # ---------------------------------------------------------------- teams (团队)
    {
        "code": "t_members_mean", "name": "团队成员平均绩效", "name_en": "Team members' mean score",
        "dimension": "PERF", "kind": "quantitative", "subject_kind": "team", "unit": "分",
        "direction": "higher", "metric": "members_mean", "rule": _linear("0", "100"),
        "description": "同一期间团队成员个人考核综合得分的平均值，直接作为本指标得分。",
    },
]
# fmt: on

WORKER_TEMPLATE: dict[str, Any] = {
    "code": "TPL-WORKER",
    "name": "外包人员通用考核方案",
    "subject_kind": "worker",
    "description": "适用于各类外包人员的默认方案：目标达成与客户满意度取自数据，其余由本人、上级、同事和客户 360° 评价。"
                   "综合得分 = Σ 指标得分 × 权重 ÷ 100 + 加减分；发生安全事故一票否决。",
    "role_weights": {"self": "10", "supervisor": "60", "peer": "20", "client": "10"},
    "grading": "bands",
    "distribution_group": "department",
    "bonus_mode": "base",
    "adjustment_cap": "5",
    "items": [
        ("w_goal_achievement", "30"),
        ("w_quality", "15"),
        ("w_efficiency", "15"),
        ("w_attitude", "10"),
        ("w_teamwork", "10"),
        ("w_skill", "10"),
        ("w_customer_satisfaction", "10"),
    ],
    "bands": [
        {"code": "EXCELLENT", "name": "优秀", "name_en": "Excellent", "min_score": "90", "max_score": "100",
         "colour": "#198754", "coefficient": "1.5"},
        {"code": "GOOD", "name": "良好", "name_en": "Good", "min_score": "80", "max_score": "90",
         "colour": "#0d6efd", "coefficient": "1.2"},
        {"code": "PASS", "name": "合格", "name_en": "Pass", "min_score": "60", "max_score": "80",
         "colour": "#fd7e14", "coefficient": "1.0"},
        {"code": "FAIL", "name": "不合格", "name_en": "Fail", "min_score": "0", "max_score": "60",
         "colour": "#dc3545", "coefficient": "0"},
    ],
    "adjustments": [
        {"code": "BONUS_PENALTY", "name": "加减分", "cap": "5",
         "description": "表彰、重大贡献加分或违纪扣分，合计不超过 ±5 分"},
    ],
    "vetoes": [
        {"code": "SAFETY", "name": "安全事故一票否决",
         "description": "发生责任安全事故（含信息安全事故）的，当期直接评为最低等级"},
    ],
}

VENDOR_TEMPLATE: dict[str, Any] = {
    "code": "TPL-VENDOR-Q",
    "name": "服务商季度考核方案",
    "subject_kind": "vendor",
    "description": "每季度对服务商的交付、质量、成本、沟通、创新、合规和 SLA 七个方面进行考核；"
                   "定性指标由甲方对接负责人（上级）和业务部门（客户）评价。",
    "role_weights": {"supervisor": "60", "client": "40"},
    "grading": "bands",
    "distribution_group": "cycle",
    "bonus_mode": "none",
    "adjustment_cap": "5",
    "items": [
        ("v_on_time_delivery", "15"),
        ("v_error_rate", "10"),
        ("v_complaint_rate", "10"),
        ("v_satisfaction", "10"),
        ("v_cost_saving", "10"),
        ("v_response_speed", "5"),
        ("v_communication_accuracy", "5"),
        ("v_problem_solving", "5"),
        ("v_innovation", "5"),
        ("v_compliance", "10"),
        ("v_sla_rate", "15"),
    ],
    "bands": [
        {"code": "A", "name": "A 优秀", "name_en": "A Excellent", "min_score": "90", "max_score": "100",
         "colour": "#198754", "coefficient": "1.0"},
        {"code": "B", "name": "B 良好", "name_en": "B Good", "min_score": "75", "max_score": "90",
         "colour": "#0d6efd", "coefficient": "1.0"},
        {"code": "C", "name": "C 合格", "name_en": "C Pass", "min_score": "60", "max_score": "75",
         "colour": "#fd7e14", "coefficient": "1.0"},
        {"code": "D", "name": "D 不合格", "name_en": "D Fail", "min_score": "0", "max_score": "60",
         "colour": "#dc3545", "coefficient": "0"},
    ],
    "adjustments": [
        {"code": "EXTRA", "name": "加减分", "cap": "5",
         "description": "重大贡献加分、重大失误扣分，合计不超过 ±5 分"},
    ],
    "vetoes": [
        {"code": "INFOSEC", "name": "重大信息安全事故一票否决",
         "description": "发生数据泄露等重大信息安全事故的，当期直接评为 D"},
    ],
}

TEMPLATES = (WORKER_TEMPLATE, VENDOR_TEMPLATE)


def _canonical_rule(rule: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if rule is None else scoring.rule_to_dict(scoring.rule_from_dict(rule))


def load_builtin_library(apps: Any = None) -> dict[str, int]:
    """Create whatever part of the built-in library is missing; return how many rows of each kind.

    `apps` is a migration's app registry (historical models); by default the live one. No audit
    rows: this is installation data, written before any user exists.
    """
    if apps is None:
        from django.apps import apps as live_apps

        apps = live_apps
    dimension_model = apps.get_model("indicators", "Dimension")
    indicator_model = apps.get_model("indicators", "Indicator")
    template_model = apps.get_model("indicators", "Template")
    created = {"dimensions": 0, "indicators": 0, "templates": 0}

    dimensions = {d.code: d for d in dimension_model.objects.all()}
    for order, data in enumerate(DIMENSIONS, start=1):
        if data["code"] not in dimensions:
            dimensions[data["code"]] = dimension_model.objects.create(order=order * 10, **data)
            created["dimensions"] += 1

    indicators = {i.code: i for i in indicator_model.objects.all()}
    for data in INDICATORS:
        if data["code"] in indicators:
            continue
        values = {k: v for k, v in data.items() if k not in {"dimension", "rule"}}
        indicators[data["code"]] = indicator_model.objects.create(
            dimension=dimensions[data["dimension"]], rule=_canonical_rule(data.get("rule")),
            is_builtin=True, **values,
        )
        created["indicators"] += 1

    existing_codes = set(template_model.objects.values_list("code", flat=True))
    for spec in TEMPLATES:
        if spec["code"] in existing_codes:
            continue
        _create_template(apps, spec, indicators)
        created["templates"] += 1
    return created


def _create_template(apps: Any, spec: dict[str, Any], indicators: dict[str, Any]) -> Any:
    template_model = apps.get_model("indicators", "Template")
    template = template_model.objects.create(
        code=spec["code"], version=1, name=spec["name"], subject_kind=spec["subject_kind"], status="active",
        description=spec["description"],
        role_weights=dict(spec["role_weights"]),
        grading=spec["grading"], distribution_group=spec["distribution_group"], bonus_mode=spec["bonus_mode"],
        adjustment_cap=Decimal(spec["adjustment_cap"]) if spec.get("adjustment_cap") else None,
    )
    apps.get_model("indicators", "TemplateIndicator").objects.bulk_create([
        apps.get_model("indicators", "TemplateIndicator")(
            template=template, indicator=indicators[code], weight=Decimal(weight), order=(i + 1) * 10,
        )
        for i, (code, weight) in enumerate(spec["items"])
    ])
    band_model = apps.get_model("indicators", "GradeBand")
    band_model.objects.bulk_create([
        band_model(template=template, **{**b, "min_score": Decimal(b["min_score"]),
                                         "max_score": Decimal(b["max_score"]),
                                         "coefficient": Decimal(b["coefficient"])})
        for b in spec["bands"]
    ])
    adjustment_model = apps.get_model("indicators", "AdjustmentItem")
    adjustment_model.objects.bulk_create([
        adjustment_model(template=template, **{**a, "cap": Decimal(a["cap"])}) for a in spec["adjustments"]
    ])
    veto_model = apps.get_model("indicators", "VetoItem")
    veto_model.objects.bulk_create([veto_model(template=template, **v) for v in spec["vetoes"]])
    return template
