"""The inbox page and API: each user sees and marks only their own notifications."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outperform.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def _note(user, key, url="/cycles/evaluations/"):  # type: ignore[no-untyped-def]
    return Notification.objects.create(user=user, kind=NotificationKind.EVALUATION_DUE_SOON,
                                       title=f"评价即将截止：{key}", body="正文", url=url, dedupe_key=key)


@pytest.fixture
def notes(world):  # type: ignore[no-untyped-def]
    return {"sup1": _note(world.users["supervisor"], "sup-1"), "sup2": _note(world.users["supervisor"], "sup-2"),
            "worker": _note(world.users["worker"], "worker-1")}


@pytest.mark.parametrize("role", ["supervisor", "hr", "system_admin", "auditor", "worker"])
def test_page_shows_only_own(world, client_for, notes, role):
    response = client_for(role).get(reverse("notifications:inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    mine = {k for k, n in notes.items() if n.user == world.users[role]}
    for key, n in notes.items():
        assert (n.title in html) == (key in mine), key


def test_header_badge_counts_unread(client_for, notes):
    html = client_for("supervisor").get(reverse("cycles:my_evaluations")).content.decode()
    assert 'data-testid="inbox-unread">2<' in html
    html = client_for("hr").get(reverse("cycles:my_evaluations")).content.decode()
    assert 'data-testid="inbox-unread"' not in html


def test_open_marks_read_and_redirects(client_for, notes):
    client = client_for("supervisor")
    response = client.post(reverse("notifications:open", args=[notes["sup1"].pk]))
    assert response.status_code == 302
    assert response["Location"] == "/cycles/evaluations/"
    notes["sup1"].refresh_from_db()
    assert notes["sup1"].read_at is not None
    assert client.get(reverse("notifications:open", args=[notes["sup1"].pk])).status_code == 405


def test_open_keeps_off_other_sites(world, client_for):
    n = _note(world.users["supervisor"], "evil", url="https://evil.example/")
    response = client_for("supervisor").post(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:inbox")


@pytest.mark.parametrize("role", ["hr", "system_admin", "worker"])
def test_another_users_notification_is_404(client_for, notes, role):
    response = client_for(role).post(reverse("notifications:open", args=[notes["sup1"].pk]))
    assert response.status_code == 404
    notes["sup1"].refresh_from_db()
    assert notes["sup1"].read_at is None


def test_mark_all_read_is_own_only(client_for, notes):
    response = client_for("supervisor").post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=notes["sup1"].user, read_at__isnull=True).exists()
    notes["worker"].refresh_from_db()
    assert notes["worker"].read_at is None


def test_unread_first(world, client_for, notes):
    notes["sup2"].read_at = notes["sup2"].created_at
    notes["sup2"].save()
    _note(world.users["supervisor"], "sup-3")
    ids = [n.pk for n in client_for("supervisor").get(reverse("notifications:inbox")).context["notifications"]]
    assert ids[-1] == notes["sup2"].pk


@pytest.mark.parametrize("role", ["supervisor", "hr", "system_admin", "auditor"])
def test_api_lists_only_own(world, api_for, notes, role):
    response = api_for(role).get("/api/v1/notifications/")
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {n.pk for n in notes.values() if n.user == world.users[role]}


@pytest.mark.parametrize("role", ["hr", "system_admin", "worker"])
def test_api_another_users_notification_is_404(api_for, notes, role):
    api = api_for(role)
    assert api.get(f"/api/v1/notifications/{notes['sup1'].pk}/").status_code == 404
    assert api.post(f"/api/v1/notifications/{notes['sup1'].pk}/read/").status_code == 404
    notes["sup1"].refresh_from_db()
    assert notes["sup1"].read_at is None


def test_api_mark_read_and_read_all(api_for, notes):
    api = api_for("supervisor")
    response = api.post(f"/api/v1/notifications/{notes['sup1'].pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert api.post("/api/v1/notifications/read-all/").json() == {"updated": 1}
    notes["worker"].refresh_from_db()
    assert notes["worker"].read_at is None


def test_anonymous_is_sent_to_login(client, notes):
    assert client.get(reverse("notifications:inbox")).status_code == 302
    assert client.get("/api/v1/notifications/").status_code in (401, 403)
