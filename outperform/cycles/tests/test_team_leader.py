"""A team's 负责人 is picked by search (one choice), not from a <select> of every account."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from outperform.cycles.models import Team
from outperform.testing.factories import UserFactory

from .helpers_web import has_inline_script

pytestmark = pytest.mark.django_db

SEARCH = "cycles:user_search"


def _options(body: str) -> list[str]:
    import re

    return re.findall(r'data-value="(\d+)"', body)


def test_the_form_has_a_single_choice_picker_not_a_list_of_every_user(world, client_for):
    UserFactory(username="zz_hidden", full_name="隐藏的人")
    page = client_for("hr").get(reverse("cycles:teams_create"))
    body = page.content.decode()
    assert page.status_code == 200 and not has_inline_script(body)
    assert 'data-picker data-name="leader" data-picker-single' in body
    assert reverse(SEARCH) in body and "cycles_picker_single.js" in body
    assert "zz_hidden" not in body and "隐藏的人" not in body


def test_search_matches_name_or_username_and_stops_at_20(world, client_for):
    for i in range(25):
        UserFactory(username=f"leader{i:02d}", full_name=f"组长{i:02d}")
    named: Any = UserFactory(username="xyz", full_name="王组长甲")
    hr = client_for("hr")
    by_name = hr.get(reverse(SEARCH), {"q": "王组长"})
    assert _options(by_name.content.decode()) == [str(named.pk)]
    assert "王组长甲（xyz）" in by_name.content.decode()
    by_username = hr.get(reverse(SEARCH), {"q": "leader0"})
    assert len(_options(by_username.content.decode())) == 10
    many = hr.get(reverse(SEARCH), {"q": "组长"}).content.decode()
    assert len(_options(many)) == 20 and "仅显示前 20 条" in many
    inactive: Any = UserFactory(username="gone", full_name="离职组长", is_active=False)
    assert str(inactive.pk) not in _options(hr.get(reverse(SEARCH), {"q": "离职"}).content.decode())


def test_search_is_hr_only(world, client_for):
    for role in ("supervisor", "vendor_manager", "worker", "auditor"):
        assert client_for(role).get(reverse(SEARCH), {"q": "a"}).status_code == 403, role
    assert client_for("system_admin").get(reverse(SEARCH), {"q": "a"}).status_code == 200


def test_search_is_a_constant_number_of_queries(world, client_for, django_assert_max_num_queries):
    for i in range(30):
        UserFactory(username=f"u{i:02d}", full_name=f"成员{i:02d}")
    hr = client_for("hr")
    hr.get(reverse(SEARCH), {"q": "成员"})  # warm-up: session, role grants
    with django_assert_max_num_queries(6):
        hr.get(reverse(SEARCH), {"q": "成员"})


def test_saving_the_form_with_a_chosen_leader(world, client_for):
    leader: Any = UserFactory(username="lead", full_name="李组长")
    hr = client_for("hr")
    form = {"code": "TM9", "name": "热线九组", "department": world.ops.pk, "leader": leader.pk,
            "members": [world.workers["a_self"].pk]}
    saved = hr.post(reverse("cycles:teams_create"), form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    team = Team.objects.get(code="TM9")
    assert team.leader == leader
    # the edit page shows the chosen leader as the picker's chip
    body = hr.get(reverse("cycles:teams_edit", args=[team.pk])).content.decode()
    assert "李组长（lead）" in body and f'name="leader" value="{leader.pk}"' in body
    # several posted (no script): the last one wins; none clears it
    other: Any = UserFactory(username="lead2", full_name="赵组长")
    hr.post(reverse("cycles:teams_edit", args=[team.pk]), {**form, "leader": [leader.pk, other.pk]})
    team.refresh_from_db()
    assert team.leader == other
    hr.post(reverse("cycles:teams_edit", args=[team.pk]), {k: v for k, v in form.items() if k != "leader"})
    team.refresh_from_db()
    assert team.leader is None
    # an unknown id is refused on the field
    refused = hr.post(reverse("cycles:teams_edit", args=[team.pk]), {**form, "leader": 999_999})
    assert refused.status_code in (200, 400) and "所选账号不存在或不在您的范围内" in refused.content.decode()
