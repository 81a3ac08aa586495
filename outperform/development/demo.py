"""Demo rows of the development app: rules and topic mappings, ten knowledge articles, training
records, the rules run over the archived 2026 Q3 cycle (suggestions and improvement plans for its
不合格 workers, with check-ins), and commendations. Bulk inserts; on a big benchmark load
(ctx.small False) only the reference rows and a capped number of training records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from outperform.core.demo.loader import DemoContext
from outperform.cycles.models import Appraisal, Cycle, CycleState
from outperform.indicators.models import Dimension, Indicator
from outperform.workers.models import Worker, WorkerStatus

from .models import (
    Article,
    ArticleKind,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    PlanCheckIn,
    PlanMilestone,
    PlanState,
    RuleKind,
    TrainingRecord,
    TrainingTopic,
    Visibility,
)

RULES = [
    {"code": "PROMO-3", "name": "连续三期良好及以上且至少一次优秀", "kind": RuleKind.PROMOTION, "window": 3, "count": 1,
     "min_grade": "良好", "top_grade": "优秀", "min_tenure_months": 12,
     "description": "最近三个已发布考核周期均不低于良好，其中至少一次优秀，司龄满12个月，列为晋升候选。"},
    {"code": "REVIEW-2OF3", "name": "三期内两次不合格复核岗位适配", "kind": RuleKind.JOB_REVIEW, "window": 3, "count": 2,
     "low_grade": "不合格", "description": "最近三期中两次及以上不合格，提示复核岗位适配、考虑调岗或更换。"},
    {"code": "PIP-AUTO", "name": "不合格自动开启改进计划", "kind": RuleKind.AUTO_PLAN, "low_grade": "不合格",
     "plan_days": 90, "description": "本期不合格的人员自动开启为期90天的个人改进计划，负责人为直属上级。"},
    {"code": "TRAIN-LOW", "name": "低分指标培训需求", "kind": RuleKind.TRAINING_NEED, "score_below": Decimal("65"),
     "max_items": 3, "description": "本期得分最低且低于65分的至多三个指标，推荐对应培训主题。"},
]

TOPICS = [  # indicator code or dimension code, topic
    ("w_communication", None, "高效沟通与表达"),
    ("w_quality", None, "质量意识与差错预防"),
    ("w_accuracy", None, "质量意识与差错预防"),
    ("w_efficiency", None, "时间管理与工作方法"),
    ("w_on_time_rate", None, "时间管理与工作方法"),
    ("w_skill", None, "岗位专业技能进阶"),
    ("w_teamwork", None, "团队协作工作坊"),
    ("w_customer_satisfaction", None, "客户服务礼仪与投诉处理"),
    ("w_problem_solving", None, "结构化问题分析与解决"),
    ("w_attitude", None, "职业素养与工作责任心"),
    ("w_learning", None, "学习力提升与知识管理"),
    (None, "COMPLY", "合规与信息安全"),
]

COURSES = [  # course, provider, hours
    ("新员工入职培训", "人力资源部", "8"), ("客户服务礼仪与投诉处理", "华东职业培训学院", "6"),
    ("高效沟通与表达", "华东职业培训学院", "4"), ("质量意识与差错预防", "质检部", "3"),
    ("信息安全与保密意识", "信息安全办公室", "2"), ("时间管理与工作方法", "智联商学院", "4"),
    ("结构化问题分析与解决", "智联商学院", "6"), ("安全生产与消防演练", "行政后勤部", "2"),
    ("Excel 数据分析实务", "智联商学院", "8"), ("岗位专业技能进阶", "服务商内训", "12"),
]

ARTICLES = [
    ("客服首次响应时长从 45 秒降到 18 秒", ArticleKind.CASE, "客服,响应,排班", ["w_efficiency", "w_on_time_rate"], [],
     "某热线项目通过话务预测排班、标准应答模板和知识库检索，把首次响应时长降低六成。",
     "# 背景\n400 热线高峰时段排队严重，首次响应平均 45 秒，客户满意度连续两月低于 85%。\n\n"
     "# 做法\n- 按近 8 周话务量做 **半小时粒度** 的排班预测\n- 整理 120 条标准应答模板，放入知识库可一键检索\n"
     "- 班组长每日 10 分钟晨会复盘前一天的超时工单\n\n# 结果\n三个月后首次响应 18 秒，满意度回升到 93%。"),
    ("质检抽检与差错复盘的闭环做法", ArticleKind.BEST_PRACTICE, "质检,质量,复盘", ["w_quality", "w_accuracy"], ["QUALITY"],
     "抽检—定级—复盘—再抽检四步闭环，差错率稳定在 0.5% 以下。",
     "# 四步闭环\n1. 每人每周随机抽检 5 单\n2. 差错按严重程度分 A/B/C 三级\n3. A 级差错 24 小时内当事人复盘并登记\n"
     "4. 下周对复盘过的环节 **加倍抽检**\n\n> 复盘只对事不对人，重点找流程漏洞。"),
    ("新人 30 天带教计划模板", ArticleKind.BEST_PRACTICE, "带教,新人,培训", ["w_skill", "w_learning"], ["SKILL"],
     "导师制 + 周目标 + 结业考核，让外包新人一个月独立上岗。",
     "# 第一周\n- 熟悉制度、系统账号、保密要求\n- 跟听 20 通电话\n\n# 第二至三周\n- 在导师陪同下独立处理简单工单\n"
     "- 每周五与导师做一次 1 对 1\n\n# 第四周\n- 独立上岗，结业考核 80 分以上转正"),
    ("一次配送延误投诉的改进复盘", ArticleKind.CASE, "配送,投诉,时效", ["w_on_time_rate", "w_customer_satisfaction"], [],
     "暴雨天配送延误导致集中投诉，通过预警和主动告知把投诉量减半。",
     "# 问题\n暴雨天 30% 订单延误，客户投诉集中爆发。\n\n# 改进措施\n- 天气预警触发 **主动短信告知**\n"
     "- 调度提前 2 小时调整线路\n- 延误订单优先安排次日上午送达\n\n# 效果\n同类天气投诉量下降 52%。"),
    ("跨部门协作：周例会不如一张看板", ArticleKind.BEST_PRACTICE, "协作,看板,沟通", ["w_teamwork", "w_communication"],
     ["TEAM"], "用共享看板替代冗长例会，跨部门问题平均关闭时间缩短 3 天。",
     "# 做法\n- 所有跨部门事项进看板，每项有 **负责人和截止日期**\n- 例会只过红色（逾期）事项，15 分钟内结束\n"
     "- 关闭事项需提出方确认\n\n# 注意\n看板要有人维护，建议由项目经理负责。"),
    ("绩效改进计划（PIP）面谈要点", ArticleKind.BEST_PRACTICE, "改进计划,面谈,PIP", ["w_attitude"], ["PERF"],
     "开启改进计划时如何与员工沟通目标、措施和检查点。",
     "# 面谈前\n- 准备具体事实和数据，不做人格评价\n\n# 面谈中\n- 说明差距：期望是什么，现状是什么\n"
     "- 共同制定 **可衡量** 的目标和里程碑\n- 明确支持资源：培训、导师、知识文章\n\n# 面谈后\n- 48 小时内把纪要录入系统\n- 每两周一次跟进记录"),
    ("运维值班交接清单", ArticleKind.BEST_PRACTICE, "运维,交接,SLA", ["w_quality"], ["SLA"],
     "一份 12 项的交接清单，让夜班事故响应不再漏接。",
     "# 交接清单（节选）\n- 未关闭告警及处理进度\n- 当日变更及回退方案\n- 重点客户的特殊要求\n"
     "- 备件与权限变更\n\n交接双方在系统中 **签字确认** 后方可离岗。"),
    ("仓储盘点差异率降低的三个动作", ArticleKind.CASE, "仓储,盘点,准确率", ["w_accuracy"], [],
     "库位标准化、扫码复核和差异日清，盘点差异率从 1.2% 降到 0.3%。",
     "# 三个动作\n1. 库位编码统一，一物一位\n2. 出入库 **双人扫码** 复核\n3. 当日差异当日查清，不过夜\n\n"
     "# 经验\n先治理高频进出的 20% 物料，收益最大。"),
    ("信息安全：外包人员账号权限管理", ArticleKind.BEST_PRACTICE, "信息安全,权限,合规", [], ["COMPLY"],
     "入场开通、变岗调整、离场回收三个节点的权限管理要求。",
     "# 三个节点\n- 入场：按岗位最小权限开通，签署保密协议\n- 变岗：**当天** 调整权限\n"
     "- 离场：最后工作日下班前回收全部账号\n\n> 每季度由服务商管理员核对一次在岗名单与账号清单。"),
    ("客户满意度回访话术与记录规范", ArticleKind.BEST_PRACTICE, "满意度,回访,客服", ["w_customer_satisfaction"],
     ["CUSTOMER"], "统一回访话术，满意度数据才可比。",
     "# 话术要点\n- 开场说明回访目的，不超过 15 秒\n- 只问三个问题：是否解决、是否及时、是否满意\n"
     "- 不满意必须追问原因并记录\n\n# 记录规范\n回访结果当天录入，不满意工单自动转质检复核。"),
]

COMMENDATIONS = [
    ("季度服务之星", "本季度零投诉，客户点名表扬三次，服务态度始终如一。"),
    ("攻坚能手", "在系统切换期间连续加班保障业务平稳，主动承担疑难工单。"),
    ("带教有方", "带教两名新人均提前独立上岗，带教记录完整规范。"),
    ("质量标兵", "连续三个月质检抽检零差错。"),
    ("团队协作奖", "主动协助兄弟班组处理高峰话务，团队整体满意度提升。"),
    ("创新建议采纳", "提出的标准应答模板优化建议被采纳，平均处理时长缩短 20 秒。"),
]


def load(ctx: DemoContext) -> None:
    hr, supervisor = ctx.users["hr"], ctx.users["supervisor"]
    for spec in RULES:
        DevelopmentRule.objects.get_or_create(code=spec["code"], defaults=spec)
    indicators = {i.code: i for i in Indicator.objects.all()}
    dimensions = {d.code: d for d in Dimension.objects.all()}
    TrainingTopic.objects.bulk_create([
        TrainingTopic(topic=topic, indicator=indicators.get(ind) if ind else None,
                      dimension=dimensions.get(dim) if dim else None)
        for ind, dim, topic in TOPICS if (ind and ind in indicators) or (dim and dim in dimensions)
    ])
    articles = []
    for title, kind, tags, ind_codes, dim_codes, summary, body in ARTICLES:
        article = Article.objects.create(title=title, kind=kind, tags=tags, summary=summary, body=body, author=hr,
                                         published=True)
        article.indicators.set([indicators[c] for c in ind_codes if c in indicators])
        article.dimensions.set([dimensions[c] for c in dim_codes if c in dimensions])
        articles.append(article)

    rng = ctx.rng
    workers = list(Worker.objects.filter(status=WorkerStatus.ACTIVE).order_by("pk").values_list(
        "pk", "department_id", "vendor_id", "hire_date", "user_id"))
    limit = len(workers) if ctx.small else min(len(workers), 500)
    records = []
    for n, (pk, dept, vendor, hire, user_id) in enumerate(workers[:limit]):
        courses = rng.sample(COURSES, k=3 if user_id else rng.randint(0, 3))
        for i, (course, provider, hours) in enumerate(courses):
            day = max(hire or ctx.today, ctx.today - dt.timedelta(days=rng.randrange(10, 300)))
            done = day < ctx.today - dt.timedelta(days=7) and rng.random() < 0.9
            records.append(TrainingRecord(
                external_id=f"TR-DEMO-{n:06d}-{i}", worker_id=pk, department_id=dept, vendor_id=vendor, course=course,
                provider=provider, date=day, hours=Decimal(hours), completed=done,
                result=("优秀" if rng.random() < 0.3 else "合格") if done else "",
                score=Decimal(rng.randint(70, 98)) if done else None))
    TrainingRecord.objects.bulk_create(records, batch_size=2000)

    if not ctx.small:
        return
    q3 = Cycle.objects.filter(state=CycleState.ARCHIVED, start_date=dt.date(2026, 7, 1)).first()
    if q3 is None:
        return
    from .services import development_evaluate

    development_evaluate(actor=hr, cycle=q3, today=dt.date(2026, 10, 25))
    # Besides the automatic plans for 不合格, supervisors opened plans by hand for the two lowest 合格.
    manual = []
    for worker_id, dept, vendor, name, composite, owner in Appraisal.objects.filter(
        cycle=q3, grade_name="合格", worker__isnull=False,
    ).order_by("composite", "pk").values_list("worker_id", "worker__department_id", "worker__vendor_id",
                                              "worker__name", "composite", "worker__supervisor_id")[:2]:
        manual.append(ImprovementPlan(
            worker_id=worker_id, department_id=dept, vendor_id=vendor, owner_id=owner or supervisor.pk,
            title=f"{name} 绩效提升计划", problems=f"2026年第三季度综合得分 {composite}，接近不合格线；客户满意度偏低。",
            measures="每周跟听 5 通电话并反馈；参加《客户服务礼仪与投诉处理》培训；每两周一次一对一面谈。",
            start_date=dt.date(2026, 10, 20), deadline=dt.date(2027, 1, 20), state=PlanState.ACTIVE))
    ImprovementPlan.objects.bulk_create(manual)
    PlanMilestone.objects.bulk_create([
        PlanMilestone(plan=p, title=title, due=due, done_at=done)
        for p in manual for title, due, done in (("完成培训", dt.date(2026, 11, 5), dt.date(2026, 11, 3)),
                                                 ("中期回顾", dt.date(2026, 12, 5), None),
                                                 ("结果评估", dt.date(2027, 1, 20), None))
    ])
    plans = list(ImprovementPlan.objects.filter(worker__isnull=False).select_related("worker").order_by("pk"))
    notes = ["已完成改进计划面谈，双方确认目标和里程碑。", "本周投诉减少，工单处理规范性有提升。",
             "已参加《高效沟通与表达》培训，下周跟听检查效果。", "中期回顾：目标完成约六成，继续保持。"]
    checkins = []
    for i, plan in enumerate(plans):
        plan.articles.set([articles[5], articles[i % 5]])
        for k, note in enumerate(notes[: 1 + i % len(notes)]):
            checkins.append(PlanCheckIn(plan=plan, date=plan.start_date + dt.timedelta(days=3 + 7 * k), note=note,
                                        author=plan.owner or supervisor))
    PlanCheckIn.objects.bulk_create(checkins)
    if plans:  # one already decided, so the archive shows an outcome
        first = plans[0]
        ImprovementPlan.objects.filter(pk=first.pk).update(
            state=PlanState.PASSED, outcome="passed", outcome_date=dt.date(2026, 10, 31),
            outcome_note="提前达到合格标准，关闭改进计划。")
    good = list(Appraisal.objects.filter(cycle=q3, grade_name__in=["优秀", "良好"], worker__isnull=False)
                .order_by("-composite", "pk").values_list("worker_id", "worker__department_id",
                                                         "worker__vendor_id")[:30])
    demo_worker = Worker.objects.filter(user=ctx.users["worker"]).values_list("pk", "department_id",
                                                                              "vendor_id").first()
    if demo_worker:
        good.insert(0, demo_worker)
    by_code = [indicators.get("w_customer_satisfaction"), indicators.get("w_quality"), None]
    Commendation.objects.bulk_create([
        Commendation(worker_id=w, department_id=dept, wall_vendor_id=vendor if i % 4 else None,
                     visibility=Visibility.PUBLIC if i % 4 else Visibility.PRIVATE,
                     author=supervisor if i % 2 else hr, title=COMMENDATIONS[i % len(COMMENDATIONS)][0],
                     text=COMMENDATIONS[i % len(COMMENDATIONS)][1], cycle=q3, indicator=by_code[i % 3],
                     date=dt.date(2026, 10, 1) + dt.timedelta(days=i % 25))
        for i, (w, dept, vendor) in enumerate(good)
    ])
