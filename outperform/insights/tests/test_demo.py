import pytest
from django.core.management import call_command

from outperform.core.models import User
from outperform.insights.models import ReportSchedule
from outperform.insights.selectors import Filters, dashboard

pytestmark = pytest.mark.django_db


def test_demo_dashboards_have_data_and_schedules_exist():
    call_command("demo", "--workers", "80", "--seed", "3", "--quiet")
    board = dashboard(User.objects.get(username="hr"), Filters()).as_json()
    assert board["cycle"]["name"] == "2026年第三季度外包人员考核"
    assert sum(board["charts"]["distribution"]["data"]["values"]) > 0
    assert board["charts"]["progress"]["data"]["cycle"]["name"] == "2026年第四季度外包人员考核"
    assert ReportSchedule.objects.count() == 2
