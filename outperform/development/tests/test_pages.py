"""Pages beyond the generic CRUD: every page renders, the article body is escaped, search, the
wall, 我的发展, the archive include, training import and export, constant query counts."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.cycles.models import CycleState
from outperform.development.importers import TrainingRecordImporter
from outperform.development.models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    PlanCheckIn,
    PlanMilestone,
    Suggestion,
    TrainingRecord,
    TrainingTopic,
)
from outperform.development.rendering import render_markdown
from outperform.indicators.models import Dimension
from outperform.testing.factories import WorkerFactory

pytestmark = pytest.mark.django_db


def training(worker, n=1, **extra):  # type: ignore[no-untyped-def]
    return [TrainingRecord.objects.create(
        external_id=f"TR-{worker.pk}-{i}-{extra.get('course', '')}", worker=worker, department_id=worker.department_id,
        vendor_id=worker.vendor_id, course=extra.get("course", f"课程{i}"), date=dt.date(2026, 8, 1 + i),
        hours=Decimal("2.5"), completed=extra.get("completed", True)) for i in range(n)]


def commend(world, worker, title, visibility="public"):  # type: ignore[no-untyped-def]
    c = Commendation(worker=worker, title=title, text="表扬内容", visibility=visibility, date=dt.date(2026, 9, 1),
                     author=world.users["hr"])
    c.sync_from_worker()
    c.save()
    return c


def plan_for(worker, **extra):  # type: ignore[no-untyped-def]
    return ImprovementPlan.objects.create(worker=worker, department_id=worker.department_id,
                                          vendor_id=worker.vendor_id, title=extra.pop("title", "改进计划"),
                                          problems="问题", start_date=dt.date(2026, 10, 1),
                                          deadline=dt.date(2026, 12, 31), **extra)


def test_every_page_renders_for_hr(world, history, client_for):
    w = world.workers["a_self"]
    cycle = history.cycle("2026年第三季度", dt.date(2026, 7, 1), dt.date(2026, 9, 30), state=CycleState.ARCHIVED)
    rule = DevelopmentRule.objects.create(code="R", name="规则", kind="job_review")
    objects = {
        "rules": rule,
        "topics": TrainingTopic.objects.create(topic="沟通", dimension=Dimension.objects.create(code="DD", name="维度")),
        "suggestions": Suggestion.objects.create(kind="job_review", rule=rule, cycle=cycle, worker=w,
                                                 department_id=w.department_id, vendor_id=w.vendor_id, reason="x"),
        "training": training(w)[0],
        "plans": plan_for(w),
        "commendations": commend(world, w, "好评"),
        "articles": Article.objects.create(title="文章", body="正文", published=True),
    }
    hr = client_for("hr")
    for name, obj in objects.items():
        assert hr.get(reverse(f"development:{name}_list")).status_code == 200, name
        assert hr.get(reverse(f"development:{name}_list"), {"export": "xlsx"}).status_code == 200, name
        assert hr.get(reverse(f"development:{name}_detail", args=[obj.pk])).status_code == 200, name
        if name != "suggestions":
            assert hr.get(reverse(f"development:{name}_create")).status_code == 200, name
            assert hr.get(reverse(f"development:{name}_edit", args=[obj.pk])).status_code == 200, name
            assert hr.get(reverse(f"development:{name}_delete", args=[obj.pk])).status_code == 200, name
    # Export-only lists have no import page and no import button.
    assert hr.get(reverse("development:plans_import")).status_code == 404
    assert "导入" not in hr.get(reverse("development:plans_list")).content.decode().split("data-testid=\"export\"")[1][:300]
    assert hr.get(reverse("development:training_import")).status_code == 200
    for url in ("development:wall", "development:mine", "development:evaluate"):
        assert hr.get(reverse(url)).status_code == 200, url


def test_suggestion_page_decides(world, history, client_for):
    w = world.workers["b_ops"]
    cycle = history.cycle("Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), state=CycleState.ARCHIVED)
    rule = DevelopmentRule.objects.create(code="R", name="规则", kind="job_review")
    s = Suggestion.objects.create(kind="job_review", rule=rule, cycle=cycle, worker=w,
                                  department_id=w.department_id, vendor_id=w.vendor_id, reason="x")
    url = reverse("development:suggestions_detail", args=[s.pk])
    r = client_for("supervisor").post(url, {"state": "dismissed", "reason": ""})
    assert r.status_code == 400 and "驳回须说明理由" in r.content.decode()
    assert client_for("vendor_manager").post(url, {"state": "accepted"}).status_code == 404  # vendor B's worker
    assert client_for("supervisor").post(url, {"state": "dismissed", "reason": "已调岗"}).status_code == 302
    s.refresh_from_db()
    assert (s.state, s.decision_reason, s.decided_by) == ("dismissed", "已调岗", world.users["supervisor"])


def test_article_body_is_escaped_markdown(world, client_for):
    body = "# 背景\n<script>alert(1)</script>\n\n- 第一步 **加粗**\n- 第二步\n\n<img src=x onerror=alert(1)>"
    html = str(render_markdown(body))
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<h4>背景</h4>" in html and "<li>第一步 <strong>加粗</strong></li>" in html and "<ul>" in html
    article = Article.objects.create(title="t", body=body, published=True)
    page = client_for("worker").get(reverse("development:articles_detail", args=[article.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_article_search_every_word_anywhere(world, client_for, api_for):
    a = Article.objects.create(title="首次响应提速", body="排班优化与知识库", tags="客服,响应", published=True)
    Article.objects.create(title="仓储盘点", body="库位管理", tags="仓储", published=True)
    web = client_for("worker").get(reverse("development:articles_list"), {"q": "响应 排班"})
    assert [row["url"] for row in web.context["rows"]] == [reverse("development:articles_detail", args=[a.pk])]
    api = api_for("worker").get("/api/v1/articles/", {"q": "客服 知识库"}).json()
    assert [x["id"] for x in api["results"]] == [a.pk]
    assert api_for("worker").get("/api/v1/articles/", {"q": "响应 仓储"}).json()["count"] == 0


def test_plan_links_articles(world, client_for):
    a = Article.objects.create(title="降低投诉的五个做法", body="x", published=True)
    r = client_for("hr").post(reverse("development:plans_create"), {
        "worker": world.workers["a_self"].pk, "title": "改进", "problems": "投诉", "start_date": "2026-10-01",
        "deadline": "2026-12-31", "articles": [a.pk]})
    assert r.status_code == 302
    plan = ImprovementPlan.objects.get()
    assert list(plan.articles.all()) == [a]
    # Owner defaults to the worker's supervisor, else the creator.
    assert plan.owner == world.users["hr"]
    assert "降低投诉的五个做法" in client_for("worker").get(
        reverse("development:plans_detail", args=[plan.pk])).content.decode()
    assert plan.title in client_for("hr").get(reverse("development:articles_detail", args=[a.pk])).content.decode()


def test_my_development_and_archive_include(world, client_for):
    me, other = world.workers["a_self"], world.workers["b_ops"]
    training(me, course="我的课程")
    training(other, course="别人的课程")
    plan_for(me, title="我的计划", state="passed", outcome="passed", outcome_date=dt.date(2026, 12, 20))
    commend(world, me, "我的公开表扬")
    commend(world, me, "我的私下表扬", visibility="private")
    page = client_for("worker").get(reverse("development:mine")).content.decode()
    for text in ("我的课程", "我的计划", "通过", "我的公开表扬", "我的私下表扬"):
        assert text in page, text
    assert "别人的课程" not in page
    # The archive include, as the cycles archive page would render it, for a vendor-A manager:
    # training and the plan, the public commendation only.
    request = RequestFactory().get("/")
    request.user = world.users["vendor_manager"]
    html = Template("{% load development_tags %}{% development_archive worker %}").render(
        Context({"request": request, "worker": me}))
    assert "我的课程" in html and "我的计划" in html and "我的公开表扬" in html
    assert "我的私下表扬" not in html
    assert "2.5" in html  # completed hours


def _xlsx(rows):  # type: ignore[no-untyped-def]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["记录编号", "工号", "课程", "培训机构", "培训日期", "学时", "已完成", "考核结果", "成绩"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_training_import_all_or_nothing_with_row_and_column_errors(world):
    a, b = world.workers["a_ops_cs"], world.workers["b_ops"]
    bad = _xlsx([["TR-1", a.employee_no, "客户沟通", "学院", "2026-08-01", "8", "是", "合格", "90"],
                 ["TR-2", "NOPE", "客户沟通", "", "2026-08-01", "4", "否", "", ""],
                 ["TR-3", a.employee_no, "客户沟通", "", "2026/8/1", "-1", "", "", "101"]])
    result = TrainingRecordImporter().run(bad, "t.xlsx", actor=world.users["hr"], dry_run=False)
    assert not result.committed and TrainingRecord.objects.count() == 0
    errors = {(e.row_number, e.column_header) for e in result.errors}
    assert (3, "工号") in errors and (4, "学时") in errors and (4, "成绩") in errors
    good = _xlsx([["TR-1", a.employee_no, "客户沟通", "学院", "2026-08-01", "8", "是", "合格", "90"],
                  ["TR-2", b.employee_no, "安全生产", "", "2026年8月2日", "3.5", "否", "", ""]])
    result = TrainingRecordImporter().run(good, "t.xlsx", actor=world.users["hr"], dry_run=False)
    assert result.committed and result.created == 2
    rec = TrainingRecord.objects.get(external_id="TR-2")
    assert (rec.worker, rec.vendor, rec.department, rec.hours, rec.completed) == (
        b, world.vendor_b, world.ops, Decimal("3.5"), False)
    assert AuditLog.objects.filter(reason="Excel import").count() == 2
    # A vendor-A manager cannot import a row for vendor B's worker: the worker is not theirs.
    other = _xlsx([["TR-9", b.employee_no, "课", "", "2026-08-01", "1", "", "", ""]])
    result = TrainingRecordImporter().run(other, "t.xlsx", actor=world.users["vendor_manager"], dry_run=False)
    assert not result.committed and {e.column_header for e in result.errors} == {"工号"}


def test_training_export_has_chinese_headers(world, client_for):
    training(world.workers["a_self"], course="导出课程")
    r = client_for("hr").get(reverse("development:training_list"), {"export": "xlsx"})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("记录编号", "工号", "课程")
    assert rows[1][1] == world.workers["a_self"].employee_no and rows[1][2] == "导出课程"


def _count(client, url, params=None):  # type: ignore[no-untyped-def]
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _grow(world, n):  # type: ignore[no-untyped-def]
    for _ in range(n):
        w = WorkerFactory(vendor=world.vendor_a, department=world.ops_cs, position=world.position)
        training(w)
        plan = plan_for(w, owner=world.users["supervisor"])
        PlanMilestone.objects.create(plan=plan, title="m", due=dt.date(2026, 11, 1))
        PlanCheckIn.objects.create(plan=plan, date=dt.date(2026, 11, 1), note="n")
        commend(world, w, "表扬")


@pytest.mark.parametrize("role", ["hr", "supervisor", "vendor_manager"])
def test_list_query_counts_do_not_grow(world, client_for, api_for, role):
    pages = [(reverse(f"development:{n}_list"), {"per_page": 200}) for n in ("training", "plans", "commendations")]
    pages += [(reverse(f"development:{n}_list"), {"export": "xlsx"}) for n in ("training", "plans", "commendations")]
    pages += [(reverse("development:wall"), {"per_page": 200})]
    apis = [("/api/v1/training-records/", {"page_size": 200}), ("/api/v1/improvement-plans/", {"page_size": 200}),
            ("/api/v1/commendations/", {"page_size": 200})]
    web, rest = client_for(role), api_for(role)
    _grow(world, 2)
    small = [_count(web, u, p) for u, p in pages] + [_count(rest, u, p) for u, p in apis]
    _grow(world, 12)
    assert [_count(web, u, p) for u, p in pages] + [_count(rest, u, p) for u, p in apis] == small


def test_archive_extras_query_count_is_constant(world, django_assert_num_queries):
    from outperform.development.selectors import archive_extras

    me = world.workers["a_self"]
    training(me, 2)
    plan_for(me)
    commend(world, me, "x")
    user = world.users["hr"]
    archive_extras(me, user)
    with CaptureQueriesContext(connection) as few:
        archive_extras(me, user)
    training(me, 10, course="更多")
    for i in range(5):
        plan_for(me, title=f"p{i}")
        commend(world, me, f"c{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        data = archive_extras(me, user)
    assert len(data["dev_training"]) == 12 and len(data["dev_plans"]) == 6
