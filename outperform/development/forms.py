from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outperform.cycles.models import Cycle

from .models import (
    Article,
    Commendation,
    DevelopmentRule,
    ImprovementPlan,
    SuggestionState,
    TrainingRecord,
    TrainingTopic,
)

DATE = forms.DateInput(attrs={"type": "date"})


class RuleForm(forms.ModelForm):
    class Meta:
        model = DevelopmentRule
        fields = ["code", "name", "kind", "active", "window", "count", "min_grade", "top_grade", "low_grade",
                  "min_tenure_months", "score_below", "max_items", "plan_days", "description"]


class TopicForm(forms.ModelForm):
    class Meta:
        model = TrainingTopic
        fields = ["topic", "indicator", "dimension", "note"]


class TrainingRecordForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["external_id", "worker", "course", "provider", "date", "hours", "completed", "result", "score"]
        widgets = {"date": DATE}
        help_texts = {"external_id": _("留空则自动生成")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["external_id"].required = False


class PlanForm(forms.ModelForm):
    class Meta:
        model = ImprovementPlan
        fields = ["worker", "title", "problems", "measures", "owner", "start_date", "deadline", "articles"]
        widgets = {"start_date": DATE, "deadline": DATE, "problems": forms.Textarea(attrs={"rows": 4}),
                   "measures": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"owner": _("留空则为该人员的直属上级")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].required = True


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("里程碑"), max_length=150)
    due = forms.DateField(label=_("计划日期"), widget=DATE)


class CheckInForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("跟进记录"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


PLAN_ACTIONS = [("activate", _("启动")), ("extend", _("延期")), ("pass", _("通过")), ("fail", _("未通过")),
                ("close", _("关闭"))]


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=PLAN_ACTIONS, label=_("操作"))
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    deadline = forms.DateField(label=_("新的截止日期"), required=False, widget=DATE)
    on = forms.DateField(label=_("结果日期"), required=False, widget=DATE)


class DecideForm(forms.Form):
    state = forms.ChoiceField(choices=[(SuggestionState.ACCEPTED, _("采纳")), (SuggestionState.DISMISSED, _("驳回"))],
                              label=_("处理"))
    reason = forms.CharField(label=_("处理意见"), required=False, max_length=500)


class EvaluateForm(forms.Form):
    cycle: forms.ModelChoiceField[Cycle] = forms.ModelChoiceField(queryset=Cycle.objects.none(), label=_("考核周期"))

    def __init__(self, *args: Any, cycles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles  # type: ignore[attr-defined]


class CommendationForm(forms.ModelForm):
    class Meta:
        model = Commendation
        fields = ["worker", "title", "text", "visibility", "cycle", "indicator", "date"]
        widgets = {"date": DATE, "text": forms.Textarea(attrs={"rows": 4})}


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "kind", "summary", "body", "tags", "indicators", "dimensions", "published"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
