import pytest
from django.core.management import call_command

from outperform.access.scoping import restrict
from outperform.core.validators import validate_id_number, validate_uscc
from outperform.vendors.models import Vendor
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_valid(capsys):
    call_command("demo", "--workers", "120", "--seed", "5", "--quiet", "--no-cycles")
    first = list(Worker.objects.order_by("employee_no").values_list("employee_no", "name", "id_number"))
    assert len(first) == 120
    call_command("demo", "--workers", "120", "--seed", "5", "--quiet", "--no-cycles")
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

    call_command("demo", "--workers", "200", "--seed", "1", "--quiet", "--no-cycles")
    vendor_user = User.objects.get(username="vendor")
    seen = restrict(Worker.objects.all(), vendor_user)
    assert seen.exists() and seen.values("vendor").distinct().count() == 1
    worker_user = User.objects.get(username="worker")
    assert list(restrict(Worker.objects.all(), worker_user).values_list("user__username", flat=True)) == ["worker"]


def test_demo_has_one_closed_and_one_running_cycle():
    from outperform.cycles.models import Appraisal, Cycle, CycleState

    call_command("demo", "--workers", "60", "--seed", "3", "--quiet")
    # The worker cycles; the vendor apps add vendor-scorecard cycles of their own.
    worker_cycles = Cycle.objects.filter(name__contains="外包人员")
    states = dict(worker_cycles.values_list("name", "state"))
    assert states == {"2026年第三季度外包人员考核": CycleState.ARCHIVED, "2026年第四季度外包人员考核": CycleState.SELF_REVIEW}
    archived = worker_cycles.get(state=CycleState.ARCHIVED)
    closed = Appraisal.objects.filter(cycle=archived)
    assert closed.exists() and not closed.filter(grade="").exists()
    from outperform.cycles.services import cycle_results_preview

    # The archived results are exactly what the engine gives from the snapshot.
    preview = cycle_results_preview(archived)
    for a in closed:
        assert (preview[a.pk].composite, preview[a.pk].grade) == (a.composite, a.grade)


def test_demo_is_deterministic_for_a_seed():
    from django.db import transaction

    def names_for_seed() -> list[tuple[str, str, str]]:
        with transaction.atomic():
            call_command("demo", "--workers", "40", "--seed", "9", "--quiet", "--no-cycles")
            rows = list(Worker.objects.order_by("employee_no").values_list("employee_no", "name", "id_number"))
            transaction.set_rollback(True)
        return rows

    assert names_for_seed() == names_for_seed()
