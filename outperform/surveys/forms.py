from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import Question, Questionnaire, Survey


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "intro", "is_active"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3})}


class QuestionForm(forms.ModelForm):
    """One question of the builder. Options are typed one per line as `名称=分值`."""

    options_text = forms.CharField(
        label=_("选项（每行一个：名称=分值）"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("仅选择题；分值 0–100，例如：按时交付=100"),
    )

    class Meta:
        model = Question
        fields = ["order", "kind", "text", "required", "low_label", "high_label", "weight"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.options:
            self.fields["options_text"].initial = "\n".join(
                f"{o.get('label')}={o.get('score')}" for o in self.instance.options)

    def clean_options_text(self) -> list[dict[str, Any]]:
        options = []
        for n, line in enumerate(self.cleaned_data.get("options_text", "").splitlines(), start=1):
            if not line.strip():
                continue
            label, sep, score = line.replace("＝", "=").rpartition("=")
            if not sep:
                label, score = line, ""
            try:
                value = Decimal(score.strip())
            except InvalidOperation:
                raise forms.ValidationError(
                    _("第 %(n)d 行需要写成「名称=分值」 / Line %(n)d: write label=score") % {"n": n}) from None
            if not label.strip() or not 0 <= value <= 100:
                raise forms.ValidationError(
                    _("第 %(n)d 行：名称不能为空，分值 0–100 / Line %(n)d: a label and a score from 0 to 100") % {"n": n})
            options.append({"label": label.strip(), "score": format(value.normalize(), "f")})
        return options

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.instance.options = data.get("options_text") or []
        return data

    def _update_errors(self, errors: Any) -> None:
        # The model checks `options`; the form edits them as `options_text`.
        if hasattr(errors, "error_dict") and "options" in errors.error_dict:
            errors.error_dict["options_text"] = errors.error_dict.pop("options")
        super()._update_errors(errors)  # type: ignore[misc]  # a ModelForm hook the stubs omit


QuestionFormSet = inlineformset_factory(
    Questionnaire, Question, form=QuestionForm, extra=2, can_delete=True, min_num=1, validate_min=True,
)


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["questionnaire", "title", "subject_kind", "vendor", "project", "worker", "period_start",
                  "period_end", "expires_at", "status"]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
            "expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {"vendor": _("调查对象为服务商时填写"), "project": _("调查对象为项目时填写"),
                      "worker": _("调查对象为外包人员时填写")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(is_active=True)  # type: ignore[attr-defined]


class SendForm(forms.Form):
    recipients = forms.CharField(
        label=_("收件人（每行一位：姓名, 邮箱, 部门）"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("邮箱和部门可省略；也可以上传 Excel"),
    )
    file = forms.FileField(label=_("或上传 Excel/CSV（列：姓名、邮箱、部门）"), required=False)
    send_email = forms.BooleanField(label=_("通过邮件发送链接"), required=False)
