import pytest
from django.core.management import call_command

from outperform.access.scoping import restrict
from outperform.core.validators import validate_id_number, validate_uscc
from outperform.vendors.models import Vendor
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_deterministic_and_valid(capsys):
    call_command("demo", "--workers", "120", "--seed", "5", "--quiet")
    first = list(Worker.objects.order_by("employee_no").values_list("employee_no", "name", "id_number"))
    assert len(first) == 120
    call_command("demo", "--workers", "120", "--seed", "5", "--quiet")
    assert Worker.objects.count() == 120
    out = capsys.readouterr().out
    for login in ("admin", "hr", "supervisor", "vendor", "worker", "auditor"):
        assert f"  {login} " in out
    assert Vendor.objects.count() >= 5
    for _no, _name, id_number in first[:50]:
        validate_id_number(id_number)
    for code in Vendor.objects.values_list("credit_code", flat=True):
        validate_uscc(code)


def test_demo_logins_have_their_scopes():
    from outperform.core.models import User

    call_command("demo", "--workers", "200", "--seed", "1", "--quiet")
    vendor_user = User.objects.get(username="vendor")
    seen = restrict(Worker.objects.all(), vendor_user)
    assert seen.exists() and seen.values("vendor").distinct().count() == 1
    worker_user = User.objects.get(username="worker")
    assert list(restrict(Worker.objects.all(), worker_user).values_list("user__username", flat=True)) == ["worker"]
