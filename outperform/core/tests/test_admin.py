"""Models written only by services are read-only in the Django admin; the admin still lists them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

READ_ONLY = ["core_auditlog", "indicators_template", "cycles_cycle", "cycles_appraisal", "notifications_notification"]


@pytest.mark.parametrize("model", READ_ONLY)
def test_read_only_models_list_but_cannot_be_added(world, client_for, model):
    admin = client_for("system_admin")
    assert admin.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert admin.get(reverse(f"admin:{model}_add")).status_code == 403


def test_audited_models_stay_editable(world, client_for):
    assert client_for("system_admin").get(reverse("admin:vendors_vendor_add")).status_code == 200
