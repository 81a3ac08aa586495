from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from outperform.cycles.models import Cycle

from .models import BonusPlan, PlanMode, SalaryRule
from .services import RESULT_STATES, Group


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError onto the form: by field where the field exists, else the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def result_cycles() -> Any:
    """Cycles with published results and no plan yet."""
    return Cycle.objects.filter(state__in=RESULT_STATES, bonus_plan__isnull=True).order_by("-start_date")


class PlanForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("考核周期"), queryset=Cycle.objects.none(),
                                   help_text=_("只能选择结果已发布或已归档、尚无奖金方案的周期"))
    name = forms.CharField(label=_("方案名称"), max_length=120)
    mode = forms.ChoiceField(label=_("计算方式"), choices=PlanMode.choices)
    prorate = forms.BooleanField(label=_("按在岗天数折算"), required=False, initial=True,
                                 help_text=_("周期内入场或离场的人员按在岗天数÷周期天数折算（首尾两天都计入）"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args: Any, plan: BonusPlan | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        if plan is not None:
            del self.fields["cycle"]
            for code, value in sorted(plan.coefficients.items()):
                self.fields[f"coef_{code}"] = forms.DecimalField(
                    label=_("等级 %(code)s 系数") % {"code": code}, max_digits=3, decimal_places=2, min_value=0,
                    initial=Decimal(value))
        else:
            self.fields["cycle"].queryset = result_cycles()  # type: ignore[attr-defined]

    def coefficients(self) -> dict[str, str]:
        return {k.removeprefix("coef_"): str(v) for k, v in self.cleaned_data.items() if k.startswith("coef_")}


class PoolsForm(forms.Form):
    """One amount in yuan per group (department or vendor) of the cycle."""

    def __init__(self, *args: Any, groups: list[Group], amounts: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups
        for g in groups:
            initial = Decimal(amounts[g.id]) / 100 if g.id in amounts else None
            self.fields[f"pool_{g.id}"] = forms.DecimalField(
                label=f"{g.name}（{g.headcount} 人）", max_digits=15, decimal_places=2, min_value=0, required=False,
                initial=initial, help_text=_("元，最多两位小数；留空表示不设奖金池"))

    def amounts_fen(self) -> dict[int, int]:
        from .calc import yuan_to_fen

        return {g.id: yuan_to_fen(self.cleaned_data[f"pool_{g.id}"]) for g in self.groups
                if self.cleaned_data.get(f"pool_{g.id}") is not None}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    pct = forms.DecimalField(label=_("核定调幅(%)"), max_digits=5, decimal_places=2, min_value=-50, max_value=100,
                             required=False, help_text=_("留空则按建议调幅"))
    reason = forms.CharField(label=_("审核意见"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class GenerateForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("考核周期"), queryset=Cycle.objects.filter(state__in=RESULT_STATES))


class SalaryRuleForm(forms.ModelForm):
    class Meta:
        model = SalaryRule
        fields = ["name", "grade_name", "match", "cycles", "min_pct", "max_pct", "priority", "is_active"]
