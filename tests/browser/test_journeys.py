"""Whole journeys through the UI, as the people who use it would click them (issue 9 §1).

One cycle from 草稿 to the payroll file: HR opens it; the worker proposes a goal and the supervisor
agrees; the worker rates themself; the supervisor (grid) and a peer (form) rate; HR computes,
calibrates and publishes; the worker appeals and HR accepts the appeal with a new grade; HR prepares
a bonus plan, a second HR approves it, and the payroll workbook is downloaded and read back. Then a
vendor manager answers a rectification notice.

Set-up that is not what the journey is about (the peer's own self-rating, the worker's rating of the
peer) goes through the services; everything the journey checks goes through the browser and is read
off the page or the downloaded file.

Numbers, worked out by hand. Template: Q1 服务质量 weight 60, Q2 响应效率 weight 40, each rated by
self 20 % / supervisor 50 % / peer 30 %; bands 优秀 ≥90 ×1.5, 良好 80–90 ×1.2, 合格 60–80 ×1.0.

- 王小明 (the worker): self 80 / 70, supervisor 90 / 85, peer 85 / 80
    Q1 = 80×0.2 + 90×0.5 + 85×0.3 = 16 + 45 + 25.5 = 86.50
    Q2 = 70×0.2 + 85×0.5 + 80×0.3 = 14 + 42.5 + 24 = 80.50
    composite = 86.50×0.6 + 80.50×0.4 = 51.90 + 32.20 = 84.10 → 良好; appeal accepted → 优秀 ×1.50
- 李华 (the peer): self 75 / 75, supervisor 78 / 78, peer (王小明) 80 / 80
    Q1 = Q2 = 15 + 39 + 24 = 78.00 → 78.00 → 合格; calibrated to 良好 ×1.20
- bonus plan 基数×系数, base 2,000.00 each, employed the whole of 2026-10-01…12-31 (92 of 92 days):
    王小明 2,000.00 × 1.50 = 3,000.00; 李华 2,000.00 × 1.20 = 2,400.00; total 5,400.00
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from outperform.testing.browser import Journey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CYCLE = "2026年第四季度"
PLAN = "2026年第四季度绩效奖金"
PAYROLL_HEADERS = ["工号", "姓名", "服务商", "部门", "等级", "综合得分", "系数", "基数（元）", "在岗天数", "周期天数",
                   "折算比例", "奖金（元）"]


def _org() -> dict[str, Any]:
    """HR (and a second HR who approves), a supervisor of 客服中心, two workers with a log-in who
    rate each other, a vendor manager, a 360 template and a cycle in 草稿."""
    from outperform.access.models import Role, RoleGrant
    from outperform.cycles.models import Cycle
    from outperform.testing.factories import (
        DepartmentFactory,
        PositionFactory,
        UserFactory,
        VendorFactory,
        WorkerFactory,
    )
    from outperform.testing.templates import make_template

    hq: Any = DepartmentFactory(code="HQ", name="总部")
    ops: Any = DepartmentFactory(code="OPS", name="客服中心", parent=hq)
    vendor: Any = VendorFactory(name="华信人力资源服务有限公司")
    position = PositionFactory(code="P-CS", name="客服专员")
    users: dict[str, Any] = {
        "hr": UserFactory(username="hr", full_name="张敏"),
        "hr2": UserFactory(username="hr2", full_name="周婷"),
        "supervisor": UserFactory(username="supervisor", full_name="陈刚"),
        "worker": UserFactory(username="wangxm", full_name="王小明"),
        "peer": UserFactory(username="lihua", full_name="李华"),
        "vendor_manager": UserFactory(username="vendor", full_name="刘洋"),
    }
    RoleGrant.objects.bulk_create([
        RoleGrant(user=users["hr"], role=Role.HR_ADMIN),
        RoleGrant(user=users["hr2"], role=Role.HR_ADMIN),
        RoleGrant(user=users["supervisor"], role=Role.SUPERVISOR, department=ops),
        RoleGrant(user=users["worker"], role=Role.WORKER),
        RoleGrant(user=users["peer"], role=Role.WORKER),
        RoleGrant(user=users["vendor_manager"], role=Role.VENDOR_MANAGER, vendor=vendor),
    ])
    common = {"vendor": vendor, "department": ops, "position": position, "supervisor": users["supervisor"],
              "hire_date": dt.date(2025, 3, 1), "base_bonus_fen": 2000_00}
    workers = {
        "worker": WorkerFactory(employee_no="HX-0001", name="王小明", user=users["worker"], **common),
        "peer": WorkerFactory(employee_no="HX-0002", name="李华", user=users["peer"], **common),
    }
    roles = ["self", "supervisor", "peer"]
    template = make_template(
        code="T-360", role_weights={"self": "20", "supervisor": "50", "peer": "30"},
        indicators=[{"code": "Q1", "name": "服务质量", "weight": 60, "rater_roles": roles},
                    {"code": "Q2", "name": "响应效率", "weight": 40, "rater_roles": roles}],
    )
    cycle = Cycle.objects.create(name=CYCLE, start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                                 default_template=template, seed=7, peer_count=1)
    cycle.departments.set([ops])
    return {"users": users, "workers": workers, "vendor": vendor, "ops": ops, "cycle": cycle}


def _rate_as_service(cycle: Any, rater: Any, subject: Any, role: str, q1: str, q2: str) -> None:
    from outperform.cycles.models import RaterAssignment
    from outperform.cycles.services import assignment_save

    a = RaterAssignment.objects.get(cycle=cycle, rater=rater, appraisal__worker=subject, role=role)
    assignment_save(actor=rater, assignment=a, values={"Q1": (q1, ""), "Q2": (q2, "")}, submit=True)


def _nav(page: Any, label: str) -> None:
    page.click(f"nav.sidebar a:has-text('{label}')")


def _open_cycle(page: Any) -> None:
    _nav(page, "考核周期")
    page.click(f"[data-testid=object-table] a:has-text('{CYCLE}')")
    page.wait_for_selector("[data-testid=cycle-state]")


def _advance(page: Any, expect: Any, label: str) -> None:
    """HR on the cycle page: 进入下一阶段 (the confirm dialog is accepted) → the badge shows `label`."""
    page.click(f"button:has-text('进入下一阶段：{label}')")
    expect(page.locator("[data-testid=cycle-state]")).to_have_text(label)


def _num(value: Any) -> Decimal:
    return Decimal(str(value))


def test_whole_cycle_from_opening_to_payroll(live_server, page, tmp_path):
    from playwright.sync_api import expect

    org = _org()
    cycle, users, workers = org["cycle"], org["users"], org["workers"]
    j = Journey(page, live_server.url)

    with j.step("HR 开启周期：后台任务进度，进入目标设定"):
        j.login("hr")
        _open_cycle(page)
        expect(page.locator("[data-testid=cycle-state]")).to_have_text("草稿")
        page.click("button:has-text('开启周期')")
        page.wait_for_url("**/cycles/jobs/*/")
        expect(page.locator("#job-progress")).to_have_attribute("data-state", "succeeded")
        expect(page.locator("#job-progress")).to_contain_text("新建考核单 2 份")
        expect(page.locator("#job-progress .progress")).to_have_attribute("aria-valuenow", "100")
        page.click("text=返回周期")
        expect(page.locator("[data-testid=cycle-state]")).to_have_text("目标设定")

    with j.step("员工在“我的考核”提出目标"):
        j.login("wangxm")
        _nav(page, "我的考核")
        # only their own appraisal, not the peer's
        expect(page.locator("[data-testid=my-appraisals] tbody tr")).to_have_count(1)
        page.click(f"[data-testid=my-appraisals] a:has-text('{CYCLE}')")
        page.click("#goals summary:has-text('提出目标')")
        page.fill("#id_title", "热线一次解决率")
        page.fill("#id_measure", "一次解决的来电 / 全部来电")
        page.fill("#id_target", "≥ 85%")
        page.fill("#id_weight", "100")
        page.fill("#id_due_date", "2026-12-31")
        page.click("#goals form[action$='/goals/new/'] button[type=submit]")
        goal_row = page.locator("[data-testid=goals] tbody tr", has_text="热线一次解决率")
        expect(goal_row).to_contain_text("待确认")

    with j.step("主管在考核单上确认目标"):
        j.login("supervisor")
        _open_cycle(page)
        page.click("a:has-text('考核单（2）')")
        page.click("table a:has-text('王小明')")
        goal_row = page.locator("[data-testid=goals] tbody tr", has_text="热线一次解决率")
        goal_row.locator("button:has-text('确认')").click()
        expect(page.locator("[data-testid=goals] tbody tr", has_text="热线一次解决率")).to_contain_text("已确认")

    with j.step("HR 推进到执行中、自评"):
        j.login("hr")
        _open_cycle(page)
        _advance(page, expect, "执行中")
        _advance(page, expect, "自评")

    # the peer's own self-rating is not what this journey is about
    _rate_as_service(cycle, users["peer"], workers["peer"], "self", "75", "75")

    with j.step("员工填写并提交自评"):
        j.login("wangxm")
        _nav(page, "我的评价")
        row = page.locator("[data-testid=my-evaluations] tbody tr", has_text="王小明")
        expect(row).to_contain_text("自评")
        row.locator("a:has-text('去评价')").click()
        expect(page.locator("[data-indicator=Q1] legend")).to_contain_text("服务质量")
        page.fill("#v_Q1", "80")
        page.fill("#v_Q2", "70")
        page.click("button[name=submit]")
        page.wait_for_url("**/cycles/evaluations/")
        expect(page.locator("[data-testid=my-evaluations] tbody tr", has_text="王小明")).to_contain_text("已提交")

    with j.step("HR 推进到评价"):
        j.login("hr")
        _open_cycle(page)
        _advance(page, expect, "评价")

    # the worker's rating of the peer: set-up, not part of the journey
    _rate_as_service(cycle, users["worker"], workers["peer"], "peer", "80", "80")

    with j.step("主管在评分表中为两人评分并提交"):
        j.login("supervisor")
        _nav(page, "我的评价")
        page.click("[data-testid=grid-link]")
        for name, (q1, q2) in {"王小明": ("90", "85"), "李华": ("78", "78")}.items():
            page.fill(f"input[aria-label='{name} Q1']", q1)
            page.fill(f"input[aria-label='{name} Q2']", q2)
        page.check("[data-grid-select-all]")
        page.click("button[name=submit]")
        expect(page.locator(".alert-success")).to_be_visible()
        expect(page.locator("input[aria-label='王小明 Q1']")).to_be_disabled()

    with j.step("同事（互评）为员工评分"):
        j.login("lihua")
        _nav(page, "我的评价")
        row = page.locator("[data-testid=my-evaluations] tbody tr", has_text="王小明")
        expect(row).to_contain_text("互评")
        row.locator("a:has-text('去评价')").click()
        page.fill("#v_Q1", "85")
        page.fill("#v_Q2", "80")
        page.click("button[name=submit]")
        page.wait_for_url("**/cycles/evaluations/")
        expect(page.locator("[data-testid=my-evaluations] tbody tr", has_text="王小明")).to_contain_text("已提交")

    with j.step("HR 进入校准并计算结果"):
        j.login("hr")
        _open_cycle(page)
        _advance(page, expect, "校准")
        page.click("button:has-text('计算结果')")
        page.wait_for_url("**/cycles/jobs/*/")
        expect(page.locator("#job-progress")).to_have_attribute("data-state", "succeeded")
        expect(page.locator("#job-progress")).to_contain_text("已计算 2 份，其中 2 份已定级")
        page.click("text=返回周期")

    with j.step("HR 在校准看板上把李华调为良好，填写原因"):
        page.click("a:has-text('校准看板')")
        mine = page.locator("[data-testid=ranked] tr[data-appraisal]", has_text="王小明")
        peer = page.locator("[data-testid=ranked] tr[data-appraisal]", has_text="李华")
        expect(mine).to_contain_text("84.10")
        expect(mine).to_contain_text("良好")
        expect(peer).to_contain_text("78.00")
        expect(peer).to_contain_text("合格")
        peer.locator("[data-calibrate-grade]").select_option("B")
        peer.locator("input[name$='-reason']").fill("热线高峰期主动加班，校准委员会一致同意上调")
        peer.locator("button:has-text('校准')").click()
        peer = page.locator("[data-testid=ranked] tr[data-appraisal]", has_text="李华")
        expect(peer).to_contain_text("已校准")
        expect(peer.locator("td").nth(5)).to_have_text("良好")

    with j.step("发布前员工看不到结果"):
        j.login("wangxm")
        _nav(page, "我的考核")
        row = page.locator("[data-testid=my-appraisals] tbody tr", has_text=CYCLE)
        expect(row).to_contain_text("尚未发布")
        expect(row).not_to_contain_text("84.10")

    with j.step("HR 发布结果"):
        j.login("hr")
        _open_cycle(page)
        _advance(page, expect, "结果发布")

    with j.step("员工查看结果并申诉"):
        j.login("wangxm")
        _nav(page, "我的考核")
        row = page.locator("[data-testid=my-appraisals] tbody tr", has_text=CYCLE)
        expect(row).to_contain_text("84.10")
        expect(row).to_contain_text("良好")
        row.locator(f"a:has-text('{CYCLE}')").click()
        expect(page.locator("[data-testid=composite]")).to_have_text("84.10")
        expect(page.locator("[data-testid=grade]")).to_have_text("良好")
        page.click("#result summary:has-text('申诉')")
        page.fill("#id_reason", "11月客户表扬信两封未计入服务质量评分")
        page.click("button:has-text('提交申诉')")
        appeal_row = page.locator("[data-testid=appeals] tbody tr", has_text="客户表扬信")
        expect(appeal_row).to_contain_text("待处理")

    with j.step("HR 受理申诉并改为优秀"):
        j.login("hr")
        _nav(page, "绩效申诉")
        page.click("[data-testid=object-table] a:has-text('王小明')")
        page.check("input[name=accept][value='1']")
        page.fill("#id_decision", "表扬信经核实，申诉成立，等级上调为优秀")
        page.select_option("#id_grade", "A")
        page.click("button:has-text('提交处理结果')")
        expect(page.locator("body")).to_contain_text("申诉成立")

    with j.step("员工看到申诉后的等级"):
        j.login("wangxm")
        _nav(page, "我的考核")
        row = page.locator("[data-testid=my-appraisals] tbody tr", has_text=CYCLE)
        expect(row).to_contain_text("优秀")
        expect(row).to_contain_text("84.10")

    with j.step("HR 新建奖金方案、计算并提交审批"):
        j.login("hr")
        _nav(page, "奖金方案")
        page.click("a:has-text('新建')")
        page.select_option("#id_cycle", str(cycle.pk))
        page.fill("#id_name", PLAN)
        page.select_option("#id_mode", "base")
        expect(page.locator("#id_prorate")).to_be_checked()
        page.click("form button:has-text('保存')")
        expect(page.locator("[data-testid=plan-state]")).to_have_text("草稿")
        page.click("button:has-text('计算奖金')")
        page.wait_for_url("**/rewards/jobs/*/")
        expect(page.locator("#job-progress")).to_have_attribute("data-state", "succeeded")
        expect(page.locator("#job-progress")).to_contain_text("计算 2 人的奖金")
        page.click("text=返回奖金方案")
        page.click("button:has-text('提交审批')")
        expect(page.locator("[data-testid=plan-state]")).to_have_text("待审批")
        # four eyes: the HR who prepared and submitted the plan is offered no approval
        expect(page.locator("button:has-text('批准')")).to_have_count(0)

    with j.step("第二位 HR 批准奖金方案"):
        j.login("hr2")
        _nav(page, "奖金方案")
        page.click(f"[data-testid=object-table] a:has-text('{PLAN}')")
        page.click("button:has-text('批准')")
        expect(page.locator("[data-testid=plan-state]")).to_have_text("已批准")

    with j.step("导出发放表并核对"):
        with page.expect_download() as info:
            page.click("[data-testid=payroll]")
        path = tmp_path / "payroll.xlsx"
        info.value.save_as(path)
        book = openpyxl.load_workbook(path)
        rows = list(book["奖金发放表"].iter_rows(values_only=True))
        assert list(rows[0]) == PAYROLL_HEADERS
        people = {r[0]: r for r in rows[1:-1]}
        assert set(people) == {"HX-0001", "HX-0002"}
        me = people["HX-0001"]
        assert me[1:5] == ("王小明", "华信人力资源服务有限公司", "客服中心", "优秀")
        assert (_num(me[5]), _num(me[6]), _num(me[7]), me[8], me[9], _num(me[11])) == (
            Decimal("84.10"), Decimal("1.50"), Decimal("2000.00"), 92, 92, Decimal("3000.00"))
        peer = people["HX-0002"]
        assert (peer[4], _num(peer[6]), _num(peer[11])) == ("良好", Decimal("1.20"), Decimal("2400.00"))
        total = rows[-1]
        assert (total[0], total[1]) == ("合计", "2 人")
        assert _num(total[11]) == Decimal("5400.00") == sum(_num(r[11]) for r in people.values())
        assert _num(total[7]) == Decimal("4000.00")
        check = {r[0]: r for r in book["核对"].iter_rows(values_only=True) if r and r[0]}
        assert _num(check["方案奖金合计（元）"][2]) == Decimal("5400.00")
        assert check["方案人数"][2] == 2

    with j.step("全程没有违反内容安全策略"):
        assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e], (
            page.console_errors)

    j.finish()


def test_vendor_manager_answers_a_rectification_notice(live_server, page, settings, tmp_path):
    from django.urls import NoReverseMatch, reverse
    from playwright.sync_api import expect

    try:
        reverse("compliance:notices_create")
    except NoReverseMatch:
        pytest.xfail("the rectification-notice pages (outperform/compliance, /compliance/notices/…) do not exist yet")

    settings.MEDIA_ROOT = tmp_path / "media"
    org = _org()
    vendor = org["vendor"]
    deadline = (dt.date.today() + dt.timedelta(days=14)).isoformat()
    evidence = tmp_path / "门禁整改照片.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% rectification evidence\n")
    j = Journey(page, live_server.url)

    with j.step("HR 向服务商发出整改通知"):
        j.login("hr")
        _nav(page, "整改通知")
        page.click("a:has-text('新建')")
        page.select_option("#id_vendor", str(vendor.pk))
        page.fill("#id_title", "驻场人员门禁卡借用整改")
        page.fill("#id_problems", "11月抽查发现两名驻场人员互借门禁卡进出机房")
        page.fill("#id_measures", "一周内完成全员门禁制度培训，并提交培训签到表")
        page.fill("#id_deadline", deadline)
        page.click("button:has-text('发出')")
        page.wait_for_url("**/compliance/notices/*/")
        expect(page.locator("[data-testid=notice-state]")).to_have_text("已发出")

    with j.step("服务商经理打开通知，答复整改方案"):
        j.login("vendor")
        _nav(page, "整改通知")
        page.click("[data-testid=object-table] a:has-text('驻场人员门禁卡借用整改')")
        expect(page.locator("body")).to_contain_text("互借门禁卡")
        respond = page.locator("form[action$='/respond/']")
        respond.locator("textarea").fill("1. 11月28日前完成全员培训；2. 门禁卡与人脸识别绑定；3. 每周抽查一次")
        respond.locator("button[type=submit]").click()
        expect(page.locator("[data-testid=notice-state]")).to_have_text("整改中")

    with j.step("服务商经理上传整改证据并提交验证"):
        upload = page.locator("form[action$='/evidence/']")
        upload.locator("input[type=file]").set_input_files(str(evidence))
        upload.locator("input[name=note]").fill("培训签到表与现场照片")
        upload.locator("button[type=submit]").click()
        expect(page.locator("[data-testid=evidence]")).to_contain_text("门禁整改照片.pdf")
        submit = page.locator("form[action$='/submit/']")
        submit.locator("textarea").fill("已完成全员培训（32人）并启用人脸识别门禁")
        submit.locator("button[type=submit]").click()
        expect(page.locator("[data-testid=notice-state]")).to_have_text("待验证")

    with j.step("HR 查看证据、验证通过并关闭"):
        j.login("hr")
        _nav(page, "整改通知")
        page.click("[data-testid=object-table] a:has-text('驻场人员门禁卡借用整改')")
        expect(page.locator("body")).to_contain_text("启用人脸识别门禁")
        with page.expect_download() as info:
            page.click("[data-testid=evidence] a:has-text('门禁整改照片.pdf')")
        assert info.value.suggested_filename == "门禁整改照片.pdf"
        assert info.value.path().read_bytes() == evidence.read_bytes()
        verify = page.locator("form[action$='/verify/']")
        verify.locator("textarea").fill("现场复查门禁记录，无借卡情况")
        verify.locator("button:has-text('验证通过')").click()
        expect(page.locator("[data-testid=notice-state]")).to_have_text("已关闭")
        expect(page.locator("[data-testid=timeline]")).to_contain_text("现场复查门禁记录")

    with j.step("另一服务商的经理打不开这份通知（404）"):
        from outperform.access.models import Role, RoleGrant
        from outperform.testing.factories import UserFactory, VendorFactory

        RoleGrant.objects.create(user=UserFactory(username="other_vendor"), role=Role.VENDOR_MANAGER,
                                 vendor=VendorFactory(name="远景外包服务有限公司"))
        notice_url = page.url
        j.login("other_vendor")
        assert page.goto(notice_url).status == 404
        page.goto(j.url(reverse("compliance:notices_list")))
        expect(page.locator("[data-testid=object-table]")).not_to_contain_text("驻场人员门禁卡借用整改")

    with j.step("全程没有违反内容安全策略"):
        assert not [e for e in page.console_errors if "Content Security Policy" in e or "Refused" in e], (
            page.console_errors)

    j.finish()
