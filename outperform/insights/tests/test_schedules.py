"""Scheduled monthly reports: audited writes, validation, scope, and sending once a month."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from outperform.core.models import AuditLog
from outperform.insights.models import ReportDelivery, ReportFormat, ReportKind, ReportSchedule
from outperform.insights.services import send_scheduled_reports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_pdf(monkeypatch):  # type: ignore[no-untyped-def]
    # the PDF itself is tested in test_reports; here what matters is who gets what, when
    monkeypatch.setattr("outperform.insights.reports.pdf.render_pdf", lambda template, context: b"%PDF-1.7 stub")


def make(world, **fields):  # type: ignore[no-untyped-def]
    defaults = {"name": "月度部门报告", "kind": ReportKind.DEPARTMENT, "department": world.tech, "day_of_month": 5,
                "owner": world.users["hr"], "addresses": "boss@example.com"}
    return ReportSchedule.objects.create(**{**defaults, **fields})


def test_sent_once_a_month_from_its_day(world, results):
    schedule = make(world)
    schedule.recipients.set([world.users["supervisor"]])
    world.users["supervisor"].email = "sup@example.com"
    world.users["supervisor"].save()
    assert send_scheduled_reports(today=dt.date(2026, 11, 4)) == {"sent": 0, "skipped": 0, "failed": 0}
    assert send_scheduled_reports(today=dt.date(2026, 11, 5))["sent"] == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["boss@example.com", "sup@example.com"]
    assert message.attachments[0][0].endswith(".pdf") and message.attachments[0][2] == "application/pdf"
    # again the same day, and later in the month: nothing more
    assert send_scheduled_reports(today=dt.date(2026, 11, 5))["sent"] == 0
    assert send_scheduled_reports(today=dt.date(2026, 11, 30))["sent"] == 0
    assert len(mail.outbox) == 1
    # next month: once more
    assert send_scheduled_reports(today=dt.date(2026, 12, 7))["sent"] == 1
    assert list(ReportDelivery.objects.order_by("month").values_list("month", flat=True)) == ["2026-11", "2026-12"]


def test_a_failed_send_is_tried_again(world, results, monkeypatch):
    make(world)

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    assert send_scheduled_reports(today=dt.date(2026, 11, 5))["failed"] == 1
    assert not ReportDelivery.objects.exists()
    monkeypatch.undo()
    monkeypatch.setattr("outperform.insights.reports.pdf.render_pdf", lambda template, context: b"%PDF stub")
    assert send_scheduled_reports(today=dt.date(2026, 11, 6))["sent"] == 1


def test_xlsx_results_schedule_uses_the_owners_scope(world, results):
    import io

    from openpyxl import load_workbook

    make(world, kind=ReportKind.RESULTS, format=ReportFormat.XLSX, department=None, owner=world.users["vendor_manager"])
    call_command("send_scheduled_reports")  # today: day ≥ 5 or not, run it dated explicitly below too
    send_scheduled_reports(today=dt.date(2026, 11, 28))
    assert len(mail.outbox) == 1
    _name, content, mimetype = mail.outbox[0].attachments[0]
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))[1:]
    assert {r[1] for r in rows} == {world.workers[k].name for k in ("a_ops_cs", "a_tech", "a_self")}


def test_inactive_and_recipientless_schedules_are_not_sent(world, results):
    make(world, active=False)
    make(world, name="无人接收", addresses="")
    assert send_scheduled_reports(today=dt.date(2026, 11, 28)) == {"sent": 0, "skipped": 1, "failed": 0}
    assert mail.outbox == []


def test_create_edit_delete_each_leave_one_audit_row(world, results, client_for):
    client = client_for("supervisor")
    data = {"name": "技术部月报", "kind": "department", "format": "pdf", "department": world.ops_cs.pk,
            "addresses": "a@example.com", "day_of_month": 3, "active": "on"}
    assert client.post(reverse("insights:schedule_create"), data).status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.owner == world.users["supervisor"]
    rows = AuditLog.objects.filter(object_id=str(schedule.pk), content_type__model="reportschedule")
    assert rows.count() == 1
    assert client.post(reverse("insights:schedule_edit", args=[schedule.pk]), {**data, "day_of_month": 9}).status_code == 302
    assert rows.count() == 2
    assert client.get(reverse("insights:schedule_delete", args=[schedule.pk])).status_code == 200  # confirmation
    assert client.post(reverse("insights:schedule_delete", args=[schedule.pk])).status_code == 302
    assert rows.count() == 3 and not ReportSchedule.objects.exists()


def test_form_says_what_is_wrong(world, results, client_for):
    response = client_for("hr").post(reverse("insights:schedule_create"), {
        "name": "x", "kind": "vendor", "format": "pdf", "addresses": "not-an-address", "day_of_month": 31})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"vendor", "addresses", "day_of_month"}
    # a supervisor cannot pick a department outside their subtree
    response = client_for("supervisor").post(reverse("insights:schedule_create"), {
        "name": "x", "kind": "department", "format": "pdf", "department": world.tech.pk, "addresses": "a@b.cn",
        "day_of_month": 1})
    assert "department" in response.context["form"].errors


@pytest.mark.parametrize(("role", "sees_other"), [("hr", True), ("auditor", True), ("supervisor", False),
                                                  ("vendor_manager", False), ("worker", False)])
def test_schedules_scope_web_and_api(world, results, client_for, api_for, role, sees_other):
    other = make(world, name="HR 的月报")
    page = client_for(role).get(reverse("insights:schedules")).content.decode()
    assert ("HR 的月报" in page) is sees_other
    api = api_for(role).get("/api/v1/report-schedules/").json()
    assert (other.pk in {r["id"] for r in api["results"]}) is sees_other
    assert api_for(role).get(f"/api/v1/report-schedules/{other.pk}/").status_code == (200 if sees_other else 404)
    if role in ("auditor", "supervisor"):
        assert client_for(role).post(reverse("insights:schedule_delete", args=[other.pk])).status_code in (403, 404)
        assert ReportSchedule.objects.filter(pk=other.pk).exists()


def test_api_create_validates_and_audits(world, results, api_for):
    api = api_for("supervisor")
    bad = api.post("/api/v1/report-schedules/", {"name": "x", "kind": "department", "format": "pdf",
                                                 "addresses": "", "day_of_month": 1}, format="json")
    assert bad.status_code == 400 and "department" in bad.json()
    ok = api.post("/api/v1/report-schedules/", {"name": "客服月报", "kind": "department", "format": "xlsx",
                                                "department": world.ops_cs.pk, "addresses": "a@example.com",
                                                "day_of_month": 2}, format="json")
    assert ok.status_code == 201, ok.json()
    schedule = ReportSchedule.objects.get(pk=ok.json()["id"])
    assert schedule.owner == world.users["supervisor"]
    assert AuditLog.objects.filter(object_id=str(schedule.pk), content_type__model="reportschedule").count() == 1
    assert api_for("worker").post("/api/v1/report-schedules/", {"name": "x", "kind": "cycle_summary", "format": "pdf",
                                                                "addresses": "a@b.cn", "day_of_month": 1},
                                  format="json").status_code == 403
