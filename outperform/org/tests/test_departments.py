import pytest
from django.urls import reverse

from outperform.access.scoping import restrict
from outperform.org.models import Department
from outperform.workers.models import Worker

pytestmark = pytest.mark.django_db


def test_paths_follow_the_tree_and_a_move_rewrites_the_subtree(world, client_for):
    assert world.ops_cs.path == f"/{world.hq.pk}/{world.ops.pk}/{world.ops_cs.pk}/"
    response = client_for("hr").post(reverse("org:departments_edit", args=[world.ops.pk]), {
        "code": "OPS", "name": "运营中心", "parent": world.tech.pk, "is_active": "on",
    })
    assert response.status_code == 302
    world.ops_cs.refresh_from_db()
    assert world.ops_cs.path == f"/{world.hq.pk}/{world.tech.pk}/{world.ops.pk}/{world.ops_cs.pk}/"


def test_a_cycle_is_refused_with_a_message(world, client_for):
    response = client_for("hr").post(reverse("org:departments_edit", args=[world.ops.pk]), {
        "code": "OPS", "name": "运营中心", "parent": world.ops_cs.pk, "is_active": "on",
    })
    assert response.status_code == 400
    assert "循环" in response.content.decode()
    world.ops.refresh_from_db()
    assert world.ops.parent_id == world.hq.pk


def test_supervisor_scope_includes_departments_created_later_in_the_subtree(world):
    from outperform.access.scoping import forget_scope
    from outperform.testing.factories import DepartmentFactory, WorkerFactory

    new_team = DepartmentFactory(code="OPS-NEW", parent=world.ops)
    worker = WorkerFactory(department=new_team, vendor=world.vendor_b, position=world.position)
    supervisor = world.users["supervisor"]
    forget_scope(supervisor)
    assert restrict(Worker.objects.all(), supervisor).filter(pk=worker.pk).exists()


def test_department_filter_includes_subdepartments(world, client_for):
    response = client_for("hr").get(reverse("workers:workers_list"), {"department": world.ops.pk})
    body = response.content.decode()
    assert world.workers["a_ops_cs"].employee_no in body  # in OPS-CS, under OPS
    assert world.workers["a_tech"].employee_no not in body
    assert Department.objects.count() == 4
