from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from outperform.indicators.models import Template, TemplateStatus

from .models import Cycle, Goal, Interview, Team

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ATTACHMENT_SUFFIXES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".zip"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names, the rest at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj}（{obj.get_subject_kind_display()}）"


class CycleForm(forms.ModelForm):
    default_template = TemplateChoiceField(
        queryset=Template.objects.filter(status=TemplateStatus.ACTIVE).order_by("subject_kind", "code", "-version"),
        label=_("默认考核方案"), help_text=_("启用状态、且与考核对象一致的考核方案"),
    )

    class Meta:
        model = Cycle
        fields = ["name", "period_type", "start_date", "end_date", "subject_kind", "default_template", "departments",
                  "vendors", "projects", "positions", "peer_count", "appeal_window_days", "goals_due",
                  "self_review_due", "review_due", "calibration_due", "confirmation_due", "seed"]
        widgets = {f: DATE for f in ("start_date", "end_date", "goals_due", "self_review_due", "review_due",
                                     "calibration_due", "confirmation_due")}
        help_texts = {"departments": _("留空表示全部"), "vendors": _("留空表示全部"), "projects": _("留空表示全部"),
                      "positions": _("留空表示全部")}

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期 / The end date is before the start date"))
        template, kind = data.get("default_template"), data.get("subject_kind")
        if template is not None and kind and template.subject_kind != kind:
            self.add_error("default_template", _("考核方案的考核对象与周期不一致 / The template is for another subject kind"))
        previous: dt.date | None = None
        for f in ("goals_due", "self_review_due", "review_due", "calibration_due", "confirmation_due"):
            value = data.get(f)
            if value is None:
                continue
            if previous is not None and value < previous:
                self.add_error(f, _("各阶段截止日期须按顺序 / Stage deadlines must be in order"))
            previous = value
        return data


class MoveBackForm(forms.Form):
    target = forms.ChoiceField(label=_("退回到"))
    reason = forms.CharField(label=_("退回原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.TextInput())


class CalibrateForm(forms.Form):
    composite = forms.DecimalField(label=_("综合得分"), required=False, min_value=Decimal(0), max_value=Decimal(100),
                                   max_digits=5, decimal_places=2)
    grade = forms.ChoiceField(label=_("等级"), required=False)
    reason = forms.CharField(label=_("校准原因"), max_length=500)

    def __init__(self, *args: Any, grades: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", "—"), *grades]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("composite") is None and not data.get("grade") and not self.errors:
            raise ValidationError(_("请修改分数或等级 / Change the score or the grade"))
        return data


def validate_attachment(upload: Any) -> None:
    if upload is None:
        return
    limit = min(ATTACHMENT_MAX_BYTES, settings.OUTPERFORM_MAX_UPLOAD_BYTES)
    if upload.size and upload.size > limit:
        raise ValidationError(_("附件过大（最大 10 MB）/ The attachment is too large (10 MB at most)"))
    if Path(upload.name or "").suffix.lower() not in ATTACHMENT_SUFFIXES:
        raise ValidationError(
            _("附件类型不支持 / Unsupported file type: %s") % ", ".join(sorted(ATTACHMENT_SUFFIXES)))


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(label=_("附件（可选）"), required=False, validators=[validate_attachment])


class AppealDecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("处理结果"), choices=[("1", _("申诉成立")), ("0", _("申诉驳回"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    composite = forms.DecimalField(label=_("新综合得分（可选）"), required=False, min_value=Decimal(0),
                                   max_value=Decimal(100), max_digits=5, decimal_places=2)
    grade = forms.ChoiceField(label=_("新等级（可选）"), required=False)

    def __init__(self, *args: Any, grades: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", "—"), *grades]  # type: ignore[attr-defined]


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["title", "measure", "target", "weight", "due_date"]
        widgets = {"due_date": DATE}


class GoalChangeForm(forms.ModelForm):
    change_reason = forms.CharField(label=_("调整原因"), max_length=300, required=False,
                                    help_text=_("调整已确认的目标须填写原因"))

    class Meta:
        model = Goal
        fields = ["title", "measure", "target", "weight", "due_date", "completion"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["change_reason"].initial = ""


class CompletionForm(forms.Form):
    completion = forms.DecimalField(label=_("完成度(%)"), min_value=Decimal(0), max_value=Decimal(100),
                                    max_digits=5, decimal_places=2)


class InterviewForm(forms.ModelForm):
    class Meta:
        model = Interview
        fields = ["held_on", "participants", "strengths", "gaps"]
        widgets = {"held_on": DATE, "strengths": forms.Textarea(attrs={"rows": 3}),
                   "gaps": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actions: list[dict[str, str]] = list(self.instance.actions or []) if self.instance.pk else []
        self.action_errors: list[str] = []

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.data:
            rows = zip(self.data.getlist("action_action"), self.data.getlist("action_owner"),  # type: ignore[attr-defined]
                       self.data.getlist("action_due"), strict=False)  # type: ignore[attr-defined]
            actions = []
            for i, (action, owner, due) in enumerate(rows, 1):
                action, owner, due = action.strip(), owner.strip(), due.strip()
                if not (action or owner or due):
                    continue
                if not action:
                    self.action_errors.append(_("第 %d 行：请填写改进行动 / Row %d: the action is missing") % (i, i))
                if due:
                    try:
                        dt.date.fromisoformat(due)
                    except ValueError:
                        self.action_errors.append(
                            _("第 %d 行：日期格式应为 YYYY-MM-DD / Row %d: the date is not YYYY-MM-DD") % (i, i))
                actions.append({"action": action[:300], "owner": owner[:60], "due": due})
            self.actions = actions
            if self.action_errors:
                raise ValidationError(self.action_errors)
        return data

    def service_data(self) -> dict[str, Any]:
        return {**{k: self.cleaned_data[k] for k in self.Meta.fields}, "actions": self.actions}


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["code", "name", "department", "project", "vendor", "leader", "members"]
        widgets = {"members": forms.SelectMultiple(attrs={"size": 12})}
