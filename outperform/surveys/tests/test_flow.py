"""The public link: one response per token, expiry, unknown tokens, CSRF; scores by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outperform.core.models import AuditLog
from outperform.surveys.models import Answer, Invitation, Response, Survey
from outperform.surveys.tests.helpers import survey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    from django.core.cache import cache

    cache.delete("survey-public:127.0.0.1")
    yield
    cache.delete("survey-public:127.0.0.1")


def _post_data(s, q1="4", q2="9", q3="1", q4=("0", "1"), q5="沟通及时"):
    qs = list(s.questionnaire.questions.order_by("order"))
    data = {f"q{qs[0].pk}": q1, f"q{qs[1].pk}": q2, f"q{qs[2].pk}": q3, f"q{qs[4].pk}": q5}
    data[f"q{qs[3].pk}"] = list(q4)
    return data


def _invite(s, name="张敏"):
    return Invitation.objects.create(survey=s, name=name, email="zhangmin@example.com", department_name="客服一部")


def test_respond_once_with_the_score_computed_by_hand(world):
    s = survey(world)
    inv = _invite(s)
    client = Client()
    url = reverse("surveys:respond", args=[inv.token])
    page = client.get(url)
    assert page.status_code == 200 and "整体满意度" in page.content.decode()
    response = client.post(url, _post_data(s))
    assert response.status_code == 200 and "提交成功" in response.content.decode()
    r = Response.objects.get()
    # Q1 4/5 → 75 (weight 2), Q2 9/10 → 90, Q3 "一般" → 60, Q4 沟通+质量 → 40 + 40 = 80, text unscored:
    # (150 + 90 + 60 + 80) / 5 = 76.00
    assert r.score == Decimal("76.00")
    assert (r.vendor_id, r.period_date) == (world.vendor_a.pk, dt.date(2026, 12, 31))
    assert Answer.objects.filter(response=r).count() == 5
    inv.refresh_from_db()
    assert inv.used_at is not None
    assert AuditLog.objects.filter(object_id=str(r.pk), action="create").count() == 1
    # the second use of the link is refused, clearly, and writes nothing
    again = client.post(url, _post_data(s, q1="1"))
    assert again.status_code == 410 and "只能填写一次" in again.content.decode()
    assert client.get(url).status_code == 410
    assert Response.objects.count() == 1


def test_missing_required_answers_are_named_and_nothing_is_saved(world):
    s = survey(world)
    inv = _invite(s)
    data = _post_data(s, q1="", q3="7")
    r = Client().post(reverse("surveys:respond", args=[inv.token]), data)
    assert r.status_code == 400
    body = r.content.decode()
    assert "请评分" in body and "选项无效" in body
    assert not Response.objects.exists()
    inv.refresh_from_db()
    assert inv.used_at is None


def test_expired_closed_and_unknown_links(world):
    s = survey(world)
    inv = _invite(s)
    Survey.objects.filter(pk=s.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client = Client()
    url = reverse("surveys:respond", args=[inv.token])
    r = client.get(url)
    assert r.status_code == 410 and "已截止" in r.content.decode() and "closed" in r.content.decode()
    assert client.post(url, _post_data(s)).status_code == 410
    Survey.objects.filter(pk=s.pk).update(expires_at=timezone.now() + dt.timedelta(days=1), status="closed")
    assert client.get(url).status_code == 410
    unknown = client.get(reverse("surveys:respond", args=["no-such-token"]))
    assert unknown.status_code == 404 and "链接无效" in unknown.content.decode()
    assert not Response.objects.exists()


def test_csrf_is_enforced(world):
    s = survey(world)
    inv = _invite(s)
    client = Client(enforce_csrf_checks=True)
    url = reverse("surveys:respond", args=[inv.token])
    assert client.post(url, _post_data(s)).status_code == 403
    assert not Response.objects.exists()
    page = client.get(url)
    token = page.cookies["csrftoken"].value
    assert client.post(url, {**_post_data(s), "csrfmiddlewaretoken": token}).status_code == 200
    assert Response.objects.count() == 1


def test_rate_limited(world):
    from outperform.surveys import views

    s = survey(world)
    inv = _invite(s)
    client = Client()
    url = reverse("surveys:respond", args=[inv.token])
    for _ in range(views.PUBLIC_RATE_LIMIT):
        assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def test_tokens_are_unguessable():
    from outperform.surveys.models import new_token

    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) >= 43 for t in tokens)


def test_results_and_response_rate(world, client_for):
    s = survey(world)
    invs = [_invite(s, f"客户{i}") for i in range(3)]
    c = Client()
    c.post(reverse("surveys:respond", args=[invs[0].token]), _post_data(s))  # 76.00
    # Q1 5 → 100 ×2, Q2 7 → 70, Q3 快 → 100, Q4 all three → 110 capped 100: (200+70+100+100)/5 = 94.00
    c.post(reverse("surveys:respond", args=[invs[1].token]), _post_data(s, q1="5", q2="7", q3="0", q4=("0", "1", "2")))
    page = client_for("hr").get(reverse("surveys:results", args=[s.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    # survey = (76 + 94) / 2 = 85.00; rate = 2 / 3 = 66.67 %
    assert "85.00" in body and "66.67%" in body
    assert "沟通及时" in body  # HR sees the free text
    from outperform.surveys.services import survey_results

    questions, score, responses, invitations = survey_results(s)
    assert (score, responses, invitations) == (Decimal("85.00"), 2, 3)
    q1 = questions[0]
    assert q1.distribution == [("1", 0), ("2", 0), ("3", 0), ("4", 1), ("5", 1)]
    assert q1.mean_score == Decimal("87.50")  # (75 + 100) / 2
