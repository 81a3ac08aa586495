"""Alert pages and API: role × scope, acknowledge / resolve audited, export, query counts; rule CRUD."""

from __future__ import annotations

import datetime as dt
from io import BytesIO, StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from outperform.alerts.models import Alert, AlertRule, AlertState
from outperform.core.models import AuditLog
from outperform.testing.crud import CrudCase

from .conftest import make_rule

pytestmark = pytest.mark.django_db


def _alert(world, rule, key, **fields):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return Alert.objects.create(rule=rule, kind=rule.kind, dedup_key=key, title=f"预警 {key}", message="说明",
                                first_seen_at=now, last_seen_at=now, **fields)


@pytest.fixture
def alerts(world):  # type: ignore[no-untyped-def]
    rule = make_rule(world, "contract_expiring", {"days": 30})
    return {
        "vendor_a": _alert(world, rule, "va", vendor=world.vendor_a),
        "vendor_b": _alert(world, rule, "vb", vendor=world.vendor_b),
        "ops_cs_a": _alert(world, rule, "oa", department=world.ops_cs, vendor=world.vendor_a),
        "tech_b": _alert(world, rule, "tb", department=world.tech, vendor=world.vendor_b),
        "owned_by_worker": _alert(world, rule, "ow", department=world.tech, owner=world.users["worker"]),
    }


VISIBLE = {
    "system_admin": {"vendor_a", "vendor_b", "ops_cs_a", "tech_b", "owned_by_worker"},
    "hr": {"vendor_a", "vendor_b", "ops_cs_a", "tech_b", "owned_by_worker"},
    "auditor": {"vendor_a", "vendor_b", "ops_cs_a", "tech_b", "owned_by_worker"},
    "supervisor": {"ops_cs_a"},  # departments OPS and OPS-CS
    "vendor_manager": {"vendor_a", "ops_cs_a"},
    "worker": {"owned_by_worker"},  # only what they own
    "nobody": set(),
}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_list_web_and_api_by_role(world, alerts, client_for, api_for, role):
    expected = {alerts[k].pk for k in VISIBLE[role]}
    response = client_for(role).get(reverse("alerts:alert_list"))
    assert response.status_code == 200
    assert {a.pk for a in response.context["alerts"]} == expected
    api = api_for(role).get("/api/v1/alerts/")
    assert {r["id"] for r in api.json()["results"]} == expected


@pytest.mark.parametrize("role", ["supervisor", "vendor_manager", "worker", "nobody"])
def test_outside_scope_is_404(alerts, client_for, api_for, role):
    hidden = [a for k, a in alerts.items() if k not in VISIBLE[role]]
    for a in hidden:
        assert client_for(role).get(reverse("alerts:alert_detail", args=[a.pk])).status_code == 404
        assert client_for(role).post(reverse("alerts:alert_resolve", args=[a.pk]), {"note": "x"}).status_code == 404
        assert api_for(role).get(f"/api/v1/alerts/{a.pk}/").status_code == 404
        assert api_for(role).post(f"/api/v1/alerts/{a.pk}/resolve/", {"note": "x"}).status_code == 404
    assert Alert.objects.filter(state="resolved").count() == 0


def _audits(alert):  # type: ignore[no-untyped-def]
    return AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Alert), object_id=str(alert.pk))


def test_acknowledge_then_resolve_on_the_web_is_audited(world, alerts, client_for):
    alert = alerts["vendor_a"]
    client = client_for("vendor_manager")
    response = client.post(reverse("alerts:alert_acknowledge", args=[alert.pk]), {"note": "已通知续签"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.state, alert.acknowledged_by, alert.ack_note) == (
        AlertState.ACKNOWLEDGED, world.users["vendor_manager"], "已通知续签")
    response = client.post(reverse("alerts:alert_resolve", args=[alert.pk]), {"note": "合同已续签至 2027-12-31"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.resolved_by == world.users["vendor_manager"]
    rows = list(_audits(alert).order_by("id").values_list("actor", "reason", "changes"))
    assert [(r[0], r[1]) for r in rows] == [(world.users["vendor_manager"].pk, "已通知续签"),
                                            (world.users["vendor_manager"].pk, "合同已续签至 2027-12-31")]
    assert rows[1][2]["state"] == ["acknowledged", "resolved"]
    page = client.get(reverse("alerts:alert_detail", args=[alert.pk])).content.decode()
    assert "合同已续签至 2027-12-31" in page


def test_resolve_needs_a_note(alerts, client_for):
    alert = alerts["vendor_a"]
    response = client_for("hr").post(reverse("alerts:alert_resolve", args=[alert.pk]), {"note": "  "})
    assert response.status_code == 400
    assert "请填写处理说明" in response.content.decode()
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and not _audits(alert).exists()


def test_auditor_reads_but_cannot_act(alerts, client_for, api_for):
    alert = alerts["vendor_a"]
    page = client_for("auditor").get(reverse("alerts:alert_detail", args=[alert.pk]))
    assert page.status_code == 200 and 'data-testid="resolve-form"' not in page.content.decode()
    assert client_for("auditor").post(reverse("alerts:alert_resolve", args=[alert.pk]), {"note": "x"}).status_code == 403
    assert api_for("auditor").post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {}).status_code == 403
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_owner_may_act_on_own_alert(world, alerts, api_for):
    alert = alerts["owned_by_worker"]
    response = api_for("worker").post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "已处理"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "resolved"


def test_api_acknowledge_and_resolve(world, alerts, api_for):
    alert = alerts["ops_cs_a"]
    api = api_for("supervisor")
    assert api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {"note": "跟进中"}, format="json").json()["state"] == \
        "acknowledged"
    bad = api.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": ""}, format="json")
    assert bad.status_code == 400 and "note" in bad.json()
    done = api.post(f"/api/v1/alerts/{alert.pk}/resolve/", {"note": "已面谈"}, format="json")
    assert done.status_code == 200 and done.json()["resolve_note"] == "已面谈"
    again = api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/", {}, format="json")
    assert again.status_code == 400
    assert _audits(alert).count() == 2


def test_filters_and_search(world, alerts, client_for):
    client = client_for("hr")
    ids = lambda r: {a.pk for a in r.context["alerts"]}  # noqa: E731
    assert ids(client.get(reverse("alerts:alert_list"), {"vendor": world.vendor_b.pk})) == {
        alerts["vendor_b"].pk, alerts["tech_b"].pk}
    assert ids(client.get(reverse("alerts:alert_list"), {"department": world.ops.pk})) == {alerts["ops_cs_a"].pk}
    assert ids(client.get(reverse("alerts:alert_list"), {"owner": world.users["worker"].pk})) == {
        alerts["owned_by_worker"].pk}
    assert ids(client.get(reverse("alerts:alert_list"), {"q": "预警 tb"})) == {alerts["tech_b"].pk}
    Alert.objects.filter(pk=alerts["va"].pk if "va" in alerts else alerts["vendor_a"].pk).update(
        state="resolved", severity="critical")
    assert alerts["vendor_a"].pk not in ids(client.get(reverse("alerts:alert_list"), {"state": "open"}))
    assert ids(client.get(reverse("alerts:alert_list"), {"severity": "critical"})) == {alerts["vendor_a"].pk}
    assert ids(client.get(reverse("alerts:alert_list"), {"kind": "contract_expiring", "state": "resolved"})) == {
        alerts["vendor_a"].pk}


def test_export_is_scoped(alerts, client_for):
    from openpyxl import load_workbook

    response = client_for("vendor_manager").get(reverse("alerts:alert_list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号 / ID"
    assert {r[0] for r in rows[1:]} == {alerts["vendor_a"].pk, alerts["ops_cs_a"].pk}


def test_list_query_count_is_constant(world, alerts, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("hr")
    client.get(reverse("alerts:alert_list"))  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("alerts:alert_list"))
    rule = AlertRule.objects.get()
    for i in range(15):
        _alert(world, rule, f"more{i}", vendor=world.vendor_a, department=world.ops, owner=world.users["supervisor"])
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("alerts:alert_list"))
    assert len(small.captured_queries) == len(large.captured_queries)


def test_kinds_page_and_evaluate_now(world, client_for, django_capture_on_commit_callbacks):
    make_rule(world, "contract_expiring", {"days": 3650 // 5})
    client = client_for("hr")
    page = client.get(reverse("alerts:kinds")).content.decode()
    assert 'data-testid="kind-contract_expiring"' in page and 'data-testid="kind-sla_breach"' in page
    assert "数据源未安装" not in page  # every data source is installed now
    assert client_for("supervisor").get(reverse("alerts:kinds")).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("alerts:evaluate"))
    assert response.status_code == 302
    from outperform.core.models import Job

    job = Job.objects.get(kind="alerts_evaluate")
    assert job.state == "succeeded" and job.result["rules"] == 1
    assert client_for("supervisor").post(reverse("alerts:evaluate")).status_code == 403


def test_command_and_schedule(world):
    from celery.schedules import crontab

    from config.celery import app, beat_schedule

    make_rule(world, "contract_expiring", {"days": 30})
    out = StringIO()
    call_command("evaluate_alerts", "--date", "2026-12-10", stdout=out)
    assert "1 rule(s): 2 created" in out.getvalue()
    out = StringIO()
    call_command("evaluate_alerts", "--date", "2026-12-10", "--kind", "contract_expiring", stdout=out)
    assert "0 created, 2 still open" in out.getvalue()
    assert beat_schedule()["evaluate-alerts"] == {"task": "outperform.alerts.evaluate", "schedule": crontab(minute=15)}
    assert beat_schedule()["retry-deliveries"]["task"] == "outperform.notifications.retry_deliveries"
    app.loader.import_default_modules()
    assert {"outperform.alerts.evaluate", "outperform.notifications.deliver",
            "outperform.notifications.retry_deliveries"} <= set(app.tasks)


def test_celery_task_runs_inline(world):
    from outperform.alerts.tasks import evaluate_alerts_task

    make_rule(world, "contract_expiring", {"days": 30})
    # contracts end 2026-12-31; today's date decides whether they are within 30 days
    result = evaluate_alerts_task.delay().get()
    assert result["rules"] == 1
    days_left = (dt.date(2026, 12, 31) - timezone.localdate()).days
    assert result["created"] == (2 if 0 <= days_left <= 30 else 0)


def _rule_form(world):  # type: ignore[no-untyped-def]
    return {"name": "合同60天到期", "kind": "contract_expiring", "params": '{"days": 60}', "severity": "warning",
            "owner_mode": "vendor_manager", "owner": world.users["hr"].pk, "enabled": "on", "auto_resolve": "on"}


class TestAlertRuleCrud(CrudCase):
    route = "alerts:rules"
    api = "/api/v1/alert-rules/"
    model = AlertRule
    make = staticmethod(lambda world: make_rule(world, "contract_expiring", {"days": 30}, name="既有规则"))
    form_data = staticmethod(_rule_form)
    api_data = staticmethod(lambda world: {"name": "不合格两次", "kind": "fail_streak", "params": {"times": 2},
                                           "severity": "critical", "owner_mode": "supervisor"})
    update_field = ("severity", "critical")
