"""Every page resource of the app through the reusable CRUD + permission base."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from outperform.development.models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    TrainingRecord,
    TrainingTopic,
)
from outperform.indicators.models import Dimension
from outperform.testing.crud import CrudCase


def _dimension() -> Dimension:
    return Dimension.objects.get_or_create(code="D-DEV", defaults={"name": "专业技能"})[0]


class TestRules(CrudCase):
    route, api, model = "development:rules", "/api/v1/development-rules/", DevelopmentRule
    make = staticmethod(lambda w: DevelopmentRule.objects.create(code="R-X", name="规则", kind="job_review"))
    form_data = staticmethod(lambda w: {"code": "R-NEW", "name": "连续不合格复核", "kind": "job_review",
                                        "active": "on", "window": 3, "count": 2, "min_grade": "良好",
                                        "top_grade": "优秀", "low_grade": "不合格", "min_tenure_months": 12,
                                        "score_below": "70", "max_items": 3, "plan_days": 90})
    api_data = staticmethod(lambda w: {"code": "R-API", "name": "晋升", "kind": "promotion", "window": 3,
                                       "count": 1, "min_grade": "良好", "top_grade": "优秀"})
    update_field = ("name", "改名规则")


class TestTopics(CrudCase):
    route, api, model = "development:topics", "/api/v1/training-topics/", TrainingTopic
    make = staticmethod(lambda w: TrainingTopic.objects.create(topic="时间管理", dimension=_dimension()))
    form_data = staticmethod(lambda w: {"topic": "沟通技巧", "dimension": _dimension().pk})
    update_field = ("topic", "高效沟通")


class TestTraining(CrudCase):
    route, api, model = "development:training", "/api/v1/training-records/", TrainingRecord
    writers = ("hr", "system_admin", "vendor_manager")
    refused = ("supervisor", "worker", "auditor", "nobody")
    make = staticmethod(lambda w: TrainingRecord.objects.create(
        external_id="TR-B", worker=w.workers["b_ops"], department=w.ops, vendor=w.vendor_b, course="安全生产",
        date=dt.date(2026, 8, 1), hours=Decimal("4")))
    form_data = staticmethod(lambda w: {"worker": w.workers["a_ops_cs"].pk, "course": "客户沟通技巧", "provider": "培训学院",
                                        "date": "2026-08-15", "hours": "8", "completed": "on", "result": "合格",
                                        "score": "86"})
    api_data = staticmethod(lambda w: {"worker": w.workers["a_tech"].pk, "course": "Python 入门",
                                       "date": "2026-08-20", "hours": "16.5", "completed": True})
    update_field = ("hours", "12.0")


class TestPlans(CrudCase):
    route, api, model = "development:plans", "/api/v1/improvement-plans/", ImprovementPlan
    writers = ("hr", "system_admin", "supervisor")
    refused = ("worker", "auditor", "nobody", "vendor_manager")
    make = staticmethod(lambda w: ImprovementPlan.objects.create(
        worker=w.workers["a_ops_cs"], vendor=w.vendor_a, department=w.ops_cs, title="改进", problems="问题",
        start_date=dt.date(2026, 10, 1), deadline=dt.date(2026, 12, 31)))
    form_data = staticmethod(lambda w: {"worker": w.workers["a_ops_cs"].pk, "title": "服务质量改进计划",
                                        "problems": "客户投诉偏多", "measures": "每周复盘", "start_date": "2026-10-01",
                                        "deadline": "2026-12-31"})
    update_field = ("title", "服务质量改进计划（修订）")


class TestCommendations(CrudCase):
    route, api, model = "development:commendations", "/api/v1/commendations/", Commendation
    writers = ("hr", "system_admin", "supervisor")
    refused = ("worker", "auditor", "nobody", "vendor_manager")
    make = staticmethod(lambda w: Commendation.objects.create(
        worker=w.workers["a_ops_cs"], department=w.ops_cs, title="好评", text="客户点名表扬", date=dt.date(2026, 9, 1)))
    form_data = staticmethod(lambda w: {"worker": w.workers["a_ops_cs"].pk, "title": "季度服务之星",
                                        "text": "连续三个月零投诉", "visibility": "public", "date": "2026-09-30"})
    update_field = ("title", "年度服务之星")


class TestArticles(CrudCase):
    route, api, model = "development:articles", "/api/v1/articles/", Article
    writers = ("hr", "system_admin", "supervisor")
    refused = ("worker", "auditor", "nobody", "vendor_manager")
    make = staticmethod(lambda w: Article.objects.create(title="案例", body="正文", published=True))
    form_data = staticmethod(lambda w: {"title": "首次响应提速实践", "kind": "best_practice", "body": "# 背景\n内容",
                                        "tags": "客服,响应", "dimensions": [_dimension().pk], "published": "on"})
    update_field = ("title", "首次响应提速实践（二版）")
