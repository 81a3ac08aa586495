from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outperform.cycles.models import Cycle

from .models import Metric, SubjectLevel
from .sources import source_choices, source_fields

FILTER_HELP = _('JSON 列表，例如 [{"field": "severity", "op": ">=", "value": 2}]；运算符 = != > >= < <= in'
                '（in 的值为列表）。')


def sources_help() -> str:
    parts = []
    for key, label in source_choices():
        fields = ", ".join(f"{name}({kind})" for name, kind in source_fields(key).items())
        parts.append(f"{key}（{label}）: {fields}")
    return "；".join(parts)


class MetricForm(forms.ModelForm):
    source = forms.ChoiceField(label=_("数据源"), choices=(), required=False)
    levels = forms.MultipleChoiceField(label=_("适用对象"), choices=SubjectLevel.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("可按哪些对象计算；不选表示数据源支持的全部"))

    class Meta:
        model = Metric
        fields = ["code", "name", "description", "source", "aggregation", "expression", "field", "percentile",
                  "filters", "numerator", "scale", "unit", "levels", "empty_as_zero", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "expression": forms.Textarea(attrs={"rows": 2}),
                   "filters": forms.Textarea(attrs={"rows": 3}), "numerator": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "---------"), *source_choices()]  # type: ignore[attr-defined]
        self.fields["source"].help_text = f"{_('公式指标留空。')}{sources_help()}"
        self.fields["filters"].help_text = FILTER_HELP
        self.fields["numerator"].help_text = _("仅比率：在筛选条件之上，计入分子的条件（JSON 列表，格式同上）")
        self.fields["filters"].required = False
        self.fields["numerator"].required = False

    def clean_filters(self) -> Any:
        return self.cleaned_data.get("filters") or []

    def clean_numerator(self) -> Any:
        return self.cleaned_data.get("numerator") or []


class ExploreForm(forms.Form):
    metric = forms.ModelChoiceField(label=_("数据指标"), queryset=Metric.objects.filter(is_active=True))
    level = forms.ChoiceField(label=_("对象类型"), required=False,
                              choices=[("", _("全部（我可见的记录）")), *SubjectLevel.choices])
    subject = forms.IntegerField(label=_("对象"), required=False, widget=forms.Select)
    cycle = forms.ModelChoiceField(label=_("考核周期"), queryset=Cycle.objects.all(), required=False,
                                   help_text=_("选择周期则使用其起止日期"))
    start = forms.DateField(label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        cycle = data.get("cycle")
        if cycle is not None:
            data["start"], data["end"] = cycle.start_date, cycle.end_date
        if not data.get("start") or not data.get("end"):
            raise forms.ValidationError(_("请选择考核周期或填写起止日期 / Choose a cycle or enter both dates"))
        if data["end"] < data["start"]:
            self.add_error("end", _("结束日期不能早于开始日期 / The end date is before the start date"))
        elif (data["end"] - data["start"]) > dt.timedelta(days=366 * 5):
            self.add_error("end", _("期间最长五年 / The period may span five years at most"))
        if data.get("level") and not data.get("subject"):
            self.add_error("subject", _("请选择对象 / Choose a subject"))
        return data


class RefreshForm(forms.Form):
    cycle = forms.ModelChoiceField(label=_("考核周期"), queryset=Cycle.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .services import REFRESHABLE

        self.fields["cycle"].queryset = Cycle.objects.filter(state__in=REFRESHABLE)  # type: ignore[attr-defined]
