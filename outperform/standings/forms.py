from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SettlementRule, StandingBand, StandingPolicy


class StandingBandForm(forms.ModelForm):
    class Meta:
        model = StandingBand
        fields = ["code", "name", "lower_bound", "colour", "warn_new_contract", "block_new_contract",
                  "warn_new_project_assignment", "block_new_project_assignment", "warn_new_worker",
                  "block_new_worker", "require_rectification", "termination_review"]


class StandingPolicyForm(forms.ModelForm):
    class Meta:
        model = StandingPolicy
        fields = ["decay_weights"]


def _yuan_field(label: Any, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, min_value=Decimal(0), required=required)


class SettlementRuleForm(forms.ModelForm):
    """Yuan in the form, fen in the database (exact, via Decimal)."""

    period_fee_yuan = _yuan_field(_("每期费用（元）"))
    breach_deduction_yuan = _yuan_field(_("每次SLA违约扣款（元）"))
    breach_cap_yuan = _yuan_field(_("SLA扣款上限（元，留空不封顶）"), required=False)

    MONEY = (("period_fee_yuan", "period_fee_fen"), ("breach_deduction_yuan", "breach_deduction_fen"),
             ("breach_cap_yuan", "breach_cap_fen"))

    class Meta:
        model = SettlementRule
        fields = ["contract", "standing_adjustments", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for yuan, fen in self.MONEY:
                value = getattr(self.instance, fen)
                self.fields[yuan].initial = None if value is None else Decimal(value) / 100

    def save(self, commit: bool = True) -> SettlementRule:
        for yuan, fen in self.MONEY:
            value = self.cleaned_data.get(yuan)
            setattr(self.instance, fen, None if value is None else int(value * 100))
        return super().save(commit)


class SettlementComputeForm(forms.Form):
    cycle: forms.ModelChoiceField[Any] = forms.ModelChoiceField(queryset=None, label=_("期间（服务商考核周期）"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from outperform.cycles.models import Cycle
        from outperform.indicators.models import SubjectKind

        self.fields["cycle"].queryset = Cycle.objects.filter(  # type: ignore[attr-defined]
            subject_kind=SubjectKind.VENDOR).order_by("-end_date")


_YES_NO = (("", _("全部")), ("1", _("是")), ("0", _("否")))


class OverviewFilterForm(forms.Form):
    """Filters of the standings overview (and of the termination-review list)."""

    code = forms.ChoiceField(label=_("评级"), required=False)
    rectification = forms.ChoiceField(label=_("要求整改"), choices=_YES_NO, required=False)
    termination = forms.ChoiceField(label=_("终止合作评审"), choices=_YES_NO, required=False)

    def __init__(self, *args: Any, codes: list[str], termination_fixed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        assert isinstance(code, forms.ChoiceField)
        code.choices = [("", _("全部")), *((c, c) for c in codes), ("-", _("暂无评级"))]
        if termination_fixed:
            del self.fields["termination"]

    def flag(self, name: str) -> bool | None:
        value = self.cleaned_data.get(name, "") if self.is_valid() else ""
        return None if value == "" else value == "1"
