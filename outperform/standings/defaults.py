"""The default standing bands (A ≥ 90, B ≥ 80, C ≥ 70, D below) and decay weights, shared by the
data migration and by anything that must restore them (e.g. tests after a database flush)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

BANDS: list[tuple[str, str, Decimal, str, dict[str, bool]]] = [
    # code, name, lower bound, colour, actions
    ("A", "优秀", Decimal("90"), "success", {}),
    ("B", "良好", Decimal("80"), "primary", {}),
    ("C", "待改进", Decimal("70"), "warning",
     {"warn_new_contract": True, "warn_new_project_assignment": True, "warn_new_worker": True,
      "require_rectification": True}),
    ("D", "不合格", Decimal("0"), "danger",
     {"block_new_contract": True, "block_new_project_assignment": True, "block_new_worker": True,
      "require_rectification": True, "termination_review": True}),
]
DECAY_WEIGHTS = [50, 30, 20]


def install_defaults(band_model: Any, policy_model: Any) -> None:
    """Create the default bands and policy if absent (models passed in: works in migrations)."""
    if not band_model.objects.exists():
        for code, name, lower, colour, actions in BANDS:
            band_model.objects.get_or_create(code=code, defaults={"name": name, "lower_bound": lower,
                                                                  "colour": colour, **actions})
    policy_model.objects.get_or_create(pk=1, defaults={"decay_weights": list(DECAY_WEIGHTS)})
