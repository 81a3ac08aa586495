"""Survey pages and API: CRUD with audit, role × scope (web and API), builder, sending."""

import datetime as dt
import io

import pytest
from django.urls import reverse

from outperform.surveys.models import Invitation, Question, Questionnaire, Survey
from outperform.surveys.tests.helpers import questionnaire, survey
from outperform.testing.crud import CrudCase

pytestmark = pytest.mark.django_db


def _survey_form(world):
    q = Questionnaire.objects.first() or questionnaire()
    return {"questionnaire": q.pk, "title": "2026年Q4 热线项目满意度", "subject_kind": "vendor",
            "vendor": world.vendor_a.pk, "period_start": "2026-10-01", "period_end": "2026-12-31",
            "expires_at": "2027-01-15T18:00", "status": "open"}


class TestQuestionnaireCrud(CrudCase):
    route = "surveys:questionnaires"
    api = "/api/v1/questionnaires/"
    model = Questionnaire
    make = staticmethod(lambda world: questionnaire())
    form_data = staticmethod(lambda world: {"title": "项目满意度问卷", "intro": "", "is_active": "on"})
    api_data = staticmethod(lambda world: {"title": "项目满意度问卷", "intro": "", "is_active": True})
    update_field = ("title", "新的名称")


class TestSurveyCrud(CrudCase):
    route = "surveys:surveys"
    api = "/api/v1/surveys/"
    model = Survey
    make = staticmethod(lambda world: survey(world))
    form_data = staticmethod(_survey_form)
    api_data = staticmethod(lambda world: {**_survey_form(world), "expires_at": "2027-01-15T18:00:00+08:00"})
    update_field = ("title", "改名后的调查")


@pytest.fixture
def surveys(world):
    return {
        "a": survey(world),  # vendor A
        "b": survey(world, vendor=world.vendor_b),
        "worker_self": survey(world, subject="worker", worker=world.workers["a_self"]),  # vendor A, OPS
        "project": survey(world, subject="project", project=world.project),  # OPS-CS
        "b_tech": survey(world, subject="worker", worker=world.workers["b_tech"]),  # vendor B, TECH
    }


VISIBLE = {
    "system_admin": {"a", "b", "worker_self", "project", "b_tech"},
    "hr": {"a", "b", "worker_self", "project", "b_tech"},
    "auditor": {"a", "b", "worker_self", "project", "b_tech"},
    "supervisor": {"worker_self", "project"},  # OPS subtree
    "vendor_manager": {"a", "worker_self"},  # vendor A only
    "worker": {"worker_self"},
    "nobody": set(),
}


@pytest.mark.parametrize("role", list(VISIBLE))
def test_role_scope_web_and_api(world, surveys, client_for, api_for, role):
    names = {s.pk: n for n, s in surveys.items()}
    listed = api_for(role).get("/api/v1/surveys/?page_size=100").json()["results"]
    assert {names[r["id"]] for r in listed} == VISIBLE[role]
    web = client_for(role)
    page = web.get(reverse("surveys:surveys_list")).content.decode()
    for name, s in surveys.items():
        detail = web.get(reverse("surveys:surveys_detail", args=[s.pk])).status_code
        results = web.get(reverse("surveys:results", args=[s.pk])).status_code
        api = api_for(role).get(f"/api/v1/surveys/{s.pk}/results/").status_code
        expected = 200 if name in VISIBLE[role] else 404
        assert (detail, results, api) == (expected, expected, expected), (role, name)
    assert (f'/surveys/surveys/{surveys["b"].pk}/' in page) == ("b" in VISIBLE[role])


def test_invitations_and_sending_are_hr_only(world, surveys, client_for, api_for):
    s = surveys["a"]
    for role in ("vendor_manager", "supervisor", "auditor", "worker"):
        assert client_for(role).get(reverse("surveys:send", args=[s.pk])).status_code in (403, 404), role
        r = api_for(role).post(f"/api/v1/surveys/{s.pk}/invite/", {"recipients": [{"name": "张三"}]}, format="json")
        assert r.status_code in (403, 404), role
    assert not Invitation.objects.exists()


def test_send_from_pasted_list_and_excel(world, surveys, client_for, mailoutbox):
    from outperform.core import excel
    from outperform.surveys.views import RECIPIENT_SHEET

    s = surveys["a"]
    hr = client_for("hr")
    url = reverse("surveys:send", args=[s.pk])
    bad = hr.post(url, {"recipients": "张敏, not-an-email, 客服一部\n, a@b.cn"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "第 1 行" in body and "第 2 行" in body and not Invitation.objects.exists()
    ok = hr.post(url, {"recipients": "张敏, zhangmin@example.com, 客服一部\n李强\t\t运营中心", "send_email": "on"})
    assert ok.status_code == 302
    assert Invitation.objects.filter(survey=s).count() == 2
    content = excel.write_rows(RECIPIENT_SHEET, [["王芳", "wangfang@example.com", "质检部"]], "收件人")
    upload = io.BytesIO(content)
    upload.name = "recipients.xlsx"
    assert hr.post(url, {"recipients": "", "file": upload}).status_code == 302
    assert Invitation.objects.filter(survey=s).count() == 3
    page = hr.get(url).content.decode()
    for inv in Invitation.objects.filter(survey=s):
        assert f"/surveys/r/{inv.token}/" in page
    # e-mail goes after commit; the test transaction never commits, so nothing is sent here
    assert len(mailoutbox) == 0


def test_send_emails_after_commit(world, surveys, client_for, mailoutbox, django_capture_on_commit_callbacks):
    s = surveys["a"]
    with django_capture_on_commit_callbacks(execute=True):
        r = client_for("hr").post(reverse("surveys:send", args=[s.pk]),
                                  {"recipients": "张敏, zhangmin@example.com", "send_email": "on"})
    assert r.status_code == 302
    assert len(mailoutbox) == 1 and "/surveys/r/" in mailoutbox[0].body
    assert Invitation.objects.get().sent_at is not None


def test_expired_survey_cannot_be_sent(world, client_for):
    s = survey(world, expires_in_days=-1)
    r = client_for("hr").post(reverse("surveys:send", args=[s.pk]), {"recipients": "张敏"})
    assert r.status_code == 400 and "已截止" in r.content.decode()


def test_builder_formset(world, client_for):
    q = Questionnaire.objects.create(title="新问卷")
    hr = client_for("hr")
    url = reverse("surveys:questions", args=[q.pk])
    assert hr.get(url).status_code == 200
    data = {"q-TOTAL_FORMS": "2", "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "1", "q-MAX_NUM_FORMS": "1000",
            "q-0-order": "1", "q-0-kind": "rating5", "q-0-text": "整体满意度", "q-0-required": "on", "q-0-weight": "1",
            "q-1-order": "2", "q-1-kind": "single", "q-1-text": "响应速度", "q-1-weight": "1",
            "q-1-options_text": "快=100\n慢"}
    bad = hr.post(url, data)
    assert bad.status_code == 400 and "第 2 行" in bad.content.decode()
    data["q-1-options_text"] = "快=100\n慢=0"
    assert hr.post(url, data).status_code == 302
    assert list(Question.objects.filter(questionnaire=q).values_list("kind", flat=True)) == ["rating5", "single"]
    assert Question.objects.get(kind="single").options == [{"label": "快", "score": "100"}, {"label": "慢", "score": "0"}]
    one = {**data, "q-TOTAL_FORMS": "1", "q-0-kind": "multiple", "q-0-options_text": "仅一项=10"}
    q2 = Questionnaire.objects.create(title="另一份")
    r = hr.post(reverse("surveys:questions", args=[q2.pk]), one)
    assert r.status_code == 400 and "至少需要两个选项" in r.content.decode()
    assert client_for("vendor_manager").get(url).status_code in (403, 404)


def test_list_export(world, surveys, client_for):
    from openpyxl import load_workbook

    r = client_for("vendor_manager").get(reverse("surveys:surveys_list") + "?export=xlsx")
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + len(VISIBLE["vendor_manager"])


def test_survey_form_validates_subject(world, client_for):
    data = {**_survey_form(world), "subject_kind": "project"}
    r = client_for("hr").post(reverse("surveys:surveys_create"), data)
    assert r.status_code == 400
    body = r.content.decode()
    assert "请选择调查对象" in body and "与调查对象类型不符" in body
    data = {**_survey_form(world), "period_end": "2026-09-01"}
    assert "结束日期不能早于开始日期" in client_for("hr").post(reverse("surveys:surveys_create"), data).content.decode()


def test_responses_api_scoped(world, api_for):
    from outperform.surveys.tests.helpers import answered_survey

    answered_survey(world, scores=[], vendor=world.vendor_b)
    a = answered_survey(world, scores=[__import__("decimal").Decimal("80")])
    assert [r["survey"] for r in api_for("vendor_manager").get("/api/v1/survey-responses/").json()["results"]] == [a.pk]
    assert api_for("worker").get("/api/v1/survey-responses/").json()["results"] == []
    assert len(api_for("auditor").get("/api/v1/survey-responses/").json()["results"]) == 1
    assert dt.date(2026, 12, 31).isoformat() == api_for("hr").get(
        "/api/v1/survey-responses/").json()["results"][0]["period_date"]
