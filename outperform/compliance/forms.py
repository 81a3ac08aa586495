from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outperform.core.models import User
from outperform.cycles.models import Cycle
from outperform.indicators.models import Indicator
from outperform.vendors.models import Vendor

from .models import AuditFinding, ComplianceChecklist, EmergencyContact, ItemResult, VendorAudit


class LinesField(forms.CharField):
    """A list of strings edited as one line each."""

    widget = forms.Textarea(attrs={"rows": 6})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [line.strip() for line in str(text).splitlines() if line.strip()]


class ChecklistForm(forms.ModelForm):
    items = LinesField(label=_("检查项（每行一项）"))

    class Meta:
        model = ComplianceChecklist
        fields = ["code", "name", "area", "items", "active"]


class AuditForm(forms.ModelForm):
    results_text = forms.CharField(
        label=_("检查结果"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行“检查项=pass/fail/na”；未填写的项按不适用（na）计"))

    class Meta:
        model = VendorAudit
        fields = ["vendor", "checklist", "date", "auditor", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.results:
            self.initial["results_text"] = "\n".join(f"{k}={v}" for k, v in self.instance.results.items())

    def clean_results_text(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data.get("results_text", "").splitlines(), start=1):
            if not line.strip():
                continue
            item, sep, result = line.rpartition("=")
            if not sep or result.strip() not in ItemResult.values:
                raise forms.ValidationError(_("第 %(n)s 行须为“检查项=pass/fail/na” / Line %(n)s: item=pass|fail|na")
                                            % {"n": n})
            out[item.strip()] = result.strip()
        return out

    def clean(self) -> dict[str, Any]:
        data = super().clean() or self.cleaned_data
        # Set before the model's full_clean (ModelForm._post_clean) so it validates and scores them.
        self.instance.results = data.get("results_text") or {}
        return data


class FindingForm(forms.ModelForm):
    class Meta:
        model = AuditFinding
        fields = ["audit", "item", "description", "severity", "due_date", "owner", "status"]


class ContactForm(forms.ModelForm):
    class Meta:
        model = EmergencyContact
        fields = ["vendor", "name", "role", "mobile", "phone", "email", "available_24h", "note"]


class NoticeIssueForm(forms.Form):
    vendor = forms.ModelChoiceField(label=_("服务商"), queryset=Vendor.objects.all())
    title = forms.CharField(label=_("标题"), max_length=150)
    problems = forms.CharField(label=_("存在问题"), widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateField(label=_("整改期限"), widget=forms.DateInput(attrs={"type": "date"}))
    owner = forms.ModelChoiceField(label=_("负责人"), queryset=User.objects.filter(is_active=True), required=False,
                                   help_text=_("留空为发出人"))
    escalate_to = forms.ModelChoiceField(label=_("逾期升级至"), queryset=User.objects.filter(is_active=True),
                                         required=False, help_text=_("负责人的上级；逾期时与绩效管理员一起收到通知"))
    indicators = forms.ModelMultipleChoiceField(label=_("相关指标"), queryset=Indicator.objects.all(), required=False)
    links = forms.CharField(
        label=_("关联记录"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行“记录类型:ID 说明”，如 incident:12 数据泄露事件；类型见业务记录"))

    def clean_links(self) -> list[tuple[str, int, str]]:
        out = []
        for n, line in enumerate(self.cleaned_data.get("links", "").splitlines(), start=1):
            if not line.strip():
                continue
            head, _sep, label = line.strip().partition(" ")
            kind, colon, ident = head.partition(":")
            if not colon or not ident.isdigit():
                raise forms.ValidationError(_("第 %(n)s 行须为“类型:ID 说明” / Line %(n)s: kind:id label") % {"n": n})
            out.append((kind, int(ident), label.strip()))
        return out


class RespondForm(forms.Form):
    vendor_plan = forms.CharField(label=_("整改方案"), widget=forms.Textarea(attrs={"rows": 4}))


class SubmitForm(forms.Form):
    vendor_response = forms.CharField(label=_("整改完成说明"), widget=forms.Textarea(attrs={"rows": 4}))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证据附件"))
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class VerifyForm(forms.Form):
    note = forms.CharField(label=_("验证意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 2}))


class VetoForm(forms.Form):
    cycle: forms.ModelChoiceField = forms.ModelChoiceField(label=_("服务商考核周期"), queryset=Cycle.objects.none())

    def __init__(self, *args: Any, cycles: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cycle"].queryset = cycles  # type: ignore[attr-defined]
