import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_locks_after_repeated_failures(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    client = Client()
    url = reverse("login")
    for _ in range(3):
        response = client.post(url, {"username": "hr", "password": "wrong-password"})
        assert response.status_code == 200
    # The right password is refused while the account is locked.
    response = client.post(url, {"username": "hr", "password": "Secret#2026pass"})
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()


def test_login_with_right_password_works_and_resets_failures(world):
    client = Client()
    client.post(reverse("login"), {"username": "hr", "password": "nope"})
    response = client.post(reverse("login"), {"username": "hr", "password": "Secret#2026pass"})
    assert response.status_code == 302
    world.users["hr"].refresh_from_db()
    assert world.users["hr"].failed_logins == 0


def test_pages_need_login():
    response = Client().get(reverse("workers:workers_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_api_needs_authentication():
    assert Client().get("/api/v1/workers/").status_code in (401, 403)


def test_security_headers(world, client_for):
    response = client_for("hr").get(reverse("core:home"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_chinese_by_default_and_english_on_request(world, client_for):
    client = client_for("hr")
    assert "外包人员" in client.get(reverse("workers:workers_list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("workers:workers_list")).content.decode()
    assert "Outsourced workers" in body


def test_schema_and_swagger_are_served_locally(world, client_for):
    client = client_for("hr")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/workers/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower() and b"//unpkg" not in docs.content


def test_token_authentication(world):
    from rest_framework.test import APIClient

    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "hr", "password": "Secret#2026pass"}).json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/workers/").status_code == 200


def test_audit_page_filters_by_object_user_and_date(world, client_for):
    from outperform.core.audit import audit_create

    a = audit_create(world.users["hr"], world.vendor_a)
    b = audit_create(world.users["system_admin"], world.vendor_b)
    client = client_for("auditor")
    body = client.get(reverse("core:audit_list"), {"actor": world.users["hr"].pk}).content.decode()
    assert f"/audit/{a.pk}/" in body and f"/audit/{b.pk}/" not in body
    body = client.get(reverse("core:audit_list"), {"object_id": str(world.vendor_b.pk),
                                                   "content_type": a.content_type_id}).content.decode()
    assert f"/audit/{b.pk}/" in body and f"/audit/{a.pk}/" not in body
    body = client.get(reverse("core:audit_list"), {"since": "2000-01-01", "until": "2000-12-31"}).content.decode()
    assert f"/audit/{a.pk}/" not in body


def test_contracts_expiring_within_n_days(world, api_for):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    world.contract_a.end_date = today + dt.timedelta(days=10)
    world.contract_a.save()
    world.contract_b.end_date = today + dt.timedelta(days=40)
    world.contract_b.save()
    numbers = {r["number"] for r in api_for("hr").get("/api/v1/contracts/", {"expires_within": 30}).json()["results"]}
    assert numbers == {world.contract_a.number}


def test_chinese_even_for_an_english_browser_until_switched(world, client_for):
    client = client_for("hr")
    body = client.get(reverse("workers:workers_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "外包人员" in body and 'lang="zh-hans"' in body
