from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from outperform.compliance import services
from outperform.compliance.models import NoticeEvent, NoticeState, RectificationNotice
from outperform.core.models import AuditLog
from outperform.cycles.models import Cycle
from outperform.development.models import ImprovementPlan, PlanState
from outperform.notifications.models import Notification
from outperform.testing.templates import make_template

from .conftest import issue, pdf

pytestmark = pytest.mark.django_db


def test_full_flow_issue_respond_evidence_submit_verify(world, cw):
    vm, hr = world.users["vendor_manager"], world.users["hr"]
    n = cw.notice_a
    # given: issuing made the shared vendor plan and told the vendor manager
    assert n.plan.subject_kind == "vendor" and n.plan.vendor_id == world.vendor_a.pk
    assert n.plan.state == PlanState.ACTIVE
    assert Notification.objects.filter(user=vm, kind=services.KIND_ISSUED).count() == 1
    # when
    services.notice_respond(actor=vm, notice=n, plan_text="一周内完成权限复核")
    services.evidence_add(actor=vm, notice=n, upload=pdf(), note="复核记录")
    services.notice_submit(actor=vm, notice=n, response="已完成")
    services.notice_verify(actor=hr, notice=n, note="抽查通过")
    # then
    n.refresh_from_db()
    assert n.state == NoticeState.CLOSED and n.closed_at is not None and n.verified_by == hr
    assert ImprovementPlan.objects.get(pk=n.plan_id).state == PlanState.PASSED
    assert list(n.events.values_list("action", flat=True)) == ["issue", "respond", "evidence", "submit", "verify"]
    ct = ContentType.objects.get_for_model(RectificationNotice)
    # one create + one update per transition (respond, submit, verify)
    assert AuditLog.objects.filter(content_type=ct, object_id=str(n.pk)).count() == 4


def test_reject_sends_back_to_vendor_who_answers_again(world, cw):
    vm, hr = world.users["vendor_manager"], world.users["hr"]
    n = cw.notice_a
    services.notice_respond(actor=vm, notice=n, plan_text="方案")
    services.evidence_add(actor=vm, notice=n, upload=pdf())
    services.notice_submit(actor=vm, notice=n, response="完成")
    with pytest.raises(ValidationError) as err:
        services.notice_reject(actor=hr, notice=n, reason="  ")
    assert "reason" in err.value.message_dict
    services.notice_reject(actor=hr, notice=n, reason="证据不足")
    n.refresh_from_db()
    assert n.state == NoticeState.REJECTED and n.reject_reason == "证据不足"
    services.notice_respond(actor=vm, notice=n, plan_text="补充方案")
    n.refresh_from_db()
    assert n.state == NoticeState.IN_PROGRESS


@pytest.mark.parametrize(("action", "kwargs"), [
    ("notice_submit", {"response": "完成"}),
    ("notice_verify", {}),
    ("notice_reject", {"reason": "x"}),
])
def test_illegal_transitions_from_issued_are_refused_with_a_message(world, cw, action, kwargs):
    actor = world.users["vendor_manager" if action == "notice_submit" else "hr"]
    with pytest.raises(ValidationError) as err:
        getattr(services, action)(actor=actor, notice=cw.notice_a, **kwargs)
    assert "已发出" in str(err.value)
    cw.notice_a.refresh_from_db()
    assert cw.notice_a.state == NoticeState.ISSUED


def test_submit_needs_evidence(world, cw):
    vm = world.users["vendor_manager"]
    services.notice_respond(actor=vm, notice=cw.notice_a, plan_text="方案")
    with pytest.raises(ValidationError, match="证据"):
        services.notice_submit(actor=vm, notice=cw.notice_a, response="完成")


def test_closed_notice_cannot_be_answered_again(world, cw):
    vm, hr = world.users["vendor_manager"], world.users["hr"]
    n = cw.notice_a
    services.notice_respond(actor=vm, notice=n, plan_text="方案")
    services.evidence_add(actor=vm, notice=n, upload=pdf())
    services.notice_submit(actor=vm, notice=n, response="完成")
    services.notice_verify(actor=hr, notice=n)
    with pytest.raises(ValidationError, match="已关闭"):
        services.notice_respond(actor=vm, notice=n, plan_text="again")
    with pytest.raises(ValidationError):
        services.evidence_add(actor=vm, notice=n, upload=pdf())


def test_roles_the_actions_belong_to(world, cw):
    with pytest.raises(PermissionDenied):  # HR does not answer for the vendor
        services.notice_respond(actor=world.users["hr"], notice=cw.notice_a, plan_text="x")
    with pytest.raises(PermissionDenied):  # another vendor's notice
        services.notice_respond(actor=world.users["vendor_manager"], notice=cw.notice_b, plan_text="x")
    with pytest.raises(PermissionDenied):  # the vendor does not issue
        services.notice_issue(
            actor=world.users["vendor_manager"], vendor=world.vendor_a, title="t", problems="p", measures="m",
            deadline=timezone.localdate())


def test_issue_validates_fields_by_name(world):
    with pytest.raises(ValidationError) as err:
        services.notice_issue(actor=world.users["hr"], vendor=world.vendor_a, title="", problems="", measures="",
                              deadline=timezone.localdate() - dt.timedelta(days=1))
    assert set(err.value.message_dict) == {"title", "problems", "measures", "deadline"}


def test_issue_links_need_a_known_record_kind(world):
    with pytest.raises(ValidationError, match="未知的记录类型"):
        issue(world, world.vendor_a, links=[("no_such_kind", 1, "x")])
    assert not RectificationNotice.objects.exists()  # nothing half-written


# --- rectification_required ---------------------------------------------------------------------


class FakeStanding:
    """What the hook reads of a standings.VendorStanding: its row, its period and its numbers."""

    def __init__(self, pk: int, cycle_id: int | None = None, code: str = "C") -> None:
        self.pk, self.cycle_id, self.code, self.score, self.period_label = pk, cycle_id, code, "75.00", "2026Q4"

    def __str__(self) -> str:
        return f"2026Q4 {self.code} 级 #{self.pk}"


def test_rectification_required_is_idempotent_per_vendor_and_period(world):
    q4 = Cycle.objects.create(name="2026Q4", start_date=dt.date(2026, 10, 1), end_date=dt.date(2026, 12, 31),
                              subject_kind="vendor", default_template=make_template())
    first = services.rectification_required(world.vendor_a, FakeStanding(7, q4.pk), None)
    again = services.rectification_required(world.vendor_a, FakeStanding(7, q4.pk), None)
    assert first.pk == again.pk
    # a later standing row of the same vendor and period (C → B → C): still the same notice
    later = services.rectification_required(world.vendor_a, FakeStanding(8, q4.pk), None)
    assert later.pk == first.pk
    assert RectificationNotice.objects.count() == 1
    assert first.source_key == f"standing:{world.vendor_a.pk}:{q4.pk}"
    assert first.deadline == timezone.localdate() + dt.timedelta(days=30)
    assert first.plan.source_cycle_id == q4.pk
    # another vendor in the same period gets its own
    other = services.rectification_required(world.vendor_b, FakeStanding(9, q4.pk), None)
    assert other.pk != first.pk


def test_rectification_required_never_reissues_a_closed_period(world):
    vm, hr = world.users["vendor_manager"], world.users["hr"]
    n = services.rectification_required(world.vendor_a, FakeStanding(7, None), None)
    assert n.source_key == f"standing:{world.vendor_a.pk}:row7"  # no period: keyed by the standing row
    services.notice_respond(actor=vm, notice=n, plan_text="方案")
    services.evidence_add(actor=vm, notice=n, upload=pdf())
    services.notice_submit(actor=vm, notice=n, response="完成")
    services.notice_verify(actor=hr, notice=n)
    again = services.rectification_required(world.vendor_a, FakeStanding(7, None), None)
    assert again.pk == n.pk and again.state == "closed"
    assert RectificationNotice.objects.count() == 1


# --- escalation ----------------------------------------------------------------------------------


def test_escalation_happens_once_and_notifies_hr_owner_and_manager(world, cw):
    hr, boss = world.users["hr"], world.users["supervisor"]
    late = issue(world, world.vendor_a, "逾期", days=1, escalate_to=boss)
    later = timezone.localdate() + dt.timedelta(days=3)  # `late` is 2 days past, cw's notices are not
    assert services.escalate_overdue(later) == 1
    assert services.escalate_overdue(later + dt.timedelta(days=1)) == 0
    late.refresh_from_db()
    assert late.escalated_at is not None
    assert NoticeEvent.objects.filter(notice=late, action="escalate").count() == 1
    notified = set(Notification.objects.filter(kind=services.KIND_OVERDUE).values_list("user_id", flat=True))
    assert notified == {hr.pk, boss.pk}  # HR is also the owner (it issued)


def test_escalation_query_count_is_constant(world, cw, django_assert_num_queries):
    for i in range(5):
        issue(world, world.vendor_a, f"逾期{i}", days=1)
    later = timezone.localdate() + dt.timedelta(days=3)
    # select (for update) + update + events insert + HR grants + notification preferences +
    # notifications insert (+ savepoint pair) — whatever the number of notices
    with django_assert_num_queries(8):
        assert services.escalate_overdue(later) == 5
    for i in range(10):
        issue(world, world.vendor_b, f"再逾期{i}", days=1)
    with django_assert_num_queries(8):
        assert services.escalate_overdue(later + dt.timedelta(days=1)) == 10


def test_escalate_command(world, cw, capsys):
    from django.core.management import call_command

    call_command("escalate_rectifications")
    assert "escalated=0" in capsys.readouterr().out


# --- attachments ---------------------------------------------------------------------------------


def test_upload_refuses_too_large(world, cw, settings):
    settings.OUTPERFORM_MAX_UPLOAD_BYTES = 1024
    big = pdf(content=b"%PDF-1.4\n" + b"0" * 2048)
    with pytest.raises(ValidationError) as err:
        services.evidence_add(actor=world.users["vendor_manager"], notice=cw.notice_a, upload=big)
    assert "过大" in str(err.value.message_dict["file"])


@pytest.mark.parametrize(("name", "content"), [
    ("evil.exe", b"MZ\x90\x00"),  # suffix not allowed
    ("report.pdf", b"MZ\x90\x00 not a pdf"),  # content does not match the suffix
    ("notes.txt", b"\x00\x01\x02binary"),  # not text
    ("photo.png", b"\xff\xd8\xff jpeg bytes"),  # a JPEG named .png
])
def test_upload_refuses_wrong_type_by_content(world, cw, name, content):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as err:
        services.evidence_add(actor=world.users["vendor_manager"], notice=cw.notice_a, upload=upload)
    assert "file" in err.value.message_dict
    assert not cw.notice_a.evidence.exists()


def test_upload_refusal_on_the_page_says_why(world, cw, client_for):
    response = client_for("vendor_manager").post(
        reverse("compliance:notice_action", args=[cw.notice_a.pk, "evidence"]),
        {"file": SimpleUploadedFile("x.pdf", b"not a pdf")})
    assert response.status_code == 400
    assert "文件内容与扩展名" in response.content.decode()


def test_evidence_download_is_scoped(world, cw, client_for):
    ev = services.evidence_add(actor=world.users["vendor_manager"], notice=cw.notice_a, upload=pdf("证据.pdf"))
    url = reverse("compliance:evidence_download", args=[ev.pk])
    for role in ("vendor_manager", "hr", "auditor"):
        response = client_for(role).get(url)
        assert response.status_code == 200, role
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for role in ("supervisor", "worker", "nobody"):
        assert client_for(role).get(url).status_code == 404, role


def test_other_vendor_cannot_download(world, cw, client_for):
    ev = services.evidence_add(actor=world.users["hr"], notice=cw.notice_b, upload=pdf())
    assert client_for("vendor_manager").get(reverse("compliance:evidence_download", args=[ev.pk])).status_code == 404


# --- pages ---------------------------------------------------------------------------------------


def test_web_flow(world, cw, client_for):
    vm, hr = client_for("vendor_manager"), client_for("hr")
    n = cw.notice_a
    action = lambda who, name, data: who.post(reverse("compliance:notice_action", args=[n.pk, name]), data)  # noqa: E731
    assert action(vm, "respond", {"vendor_plan": "方案"}).status_code == 302
    assert action(vm, "evidence", {"file": pdf(), "note": "n"}).status_code == 302
    assert action(vm, "submit", {"vendor_response": "完成"}).status_code == 302
    assert action(vm, "verify", {"note": "x"}).status_code == 403  # the vendor can see it but not verify
    assert action(hr, "reject", {"reason": ""}).status_code == 400
    assert action(hr, "verify", {"note": "好"}).status_code == 302
    page = hr.get(reverse("compliance:notices_detail", args=[n.pk])).content.decode()
    assert "已关闭" in page and "验证通过并关闭" in page  # state and timeline


def test_issue_page(world, client_for):
    url = reverse("compliance:notices_create")
    assert client_for("vendor_manager").get(url).status_code == 403
    hr = client_for("hr")
    assert hr.get(url).status_code == 200
    bad = hr.post(url, {"vendor": world.vendor_a.pk, "title": "t", "problems": "p", "measures": "m",
                        "deadline": "2000-01-01"})
    assert bad.status_code == 400 and "整改期限不能早于今天" in bad.content.decode()
    ok = hr.post(url, {"vendor": world.vendor_a.pk, "title": "t", "problems": "p", "measures": "m",
                       "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat()})
    assert ok.status_code == 302


def test_issue_from_a_finding_prefills_the_form(world, cw, client_for):
    url = reverse("compliance:notice_from_finding", args=[cw.finding_a.pk])
    assert client_for("vendor_manager").get(url).status_code == 403
    assert client_for("vendor_manager").get(
        reverse("compliance:notice_from_finding", args=[cw.finding_b.pk])).status_code == 404
    response = client_for("hr").get(url)
    assert response.status_code == 302 and f"audit_finding%3A{cw.finding_a.pk}" in response["Location"]
    page = client_for("hr").get(response["Location"]).content.decode()
    assert f"audit_finding:{cw.finding_a.pk}" in page
