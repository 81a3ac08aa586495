from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from outperform.access.scoping import restrict
from outperform.core.models import User
from outperform.cycles.models import Cycle
from outperform.org.models import Department
from outperform.vendors.models import Vendor

from . import selectors
from .models import ReportKind, ReportSchedule


class ReportScheduleForm(forms.ModelForm):
    class Meta:
        model = ReportSchedule
        fields = ["name", "kind", "format", "cycle", "department", "vendor", "position", "recipients", "addresses",
                  "day_of_month", "active"]
        widgets = {"addresses": forms.Textarea(attrs={"rows": 3}),
                   "recipients": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        visible = [c.pk for c in selectors.visible_cycles(user)]
        choices = selectors.filter_choices(user)
        querysets = {
            "cycle": Cycle.objects.filter(pk__in=visible).order_by("-start_date"),
            "department": Department.objects.filter(pk__in=[pk for pk, _n in choices["departments"]]),
            "vendor": Vendor.objects.filter(pk__in=[pk for pk, _n in choices["vendors"]]),
            "recipients": restrict(User.objects.filter(is_active=True), user).order_by("username"),
        }
        for name, qs in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = qs
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select | forms.SelectMultiple) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs.setdefault("class", css)

    def clean_addresses(self) -> str:
        value: str = self.cleaned_data.get("addresses", "")
        probe = ReportSchedule(addresses=value)
        bad = []
        for address in probe.address_list():
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(_("邮箱地址无效：%(list)s / Invalid e-mail address"), params={"list": "、".join(bad)})
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == ReportKind.DEPARTMENT and not data.get("department"):
            self.add_error("department", _("部门报告须选择部门 / Choose the department"))
        if kind == ReportKind.VENDOR and not data.get("vendor"):
            self.add_error("vendor", _("服务商报告须选择服务商 / Choose the vendor"))
        if "addresses" not in self.errors and not data.get("recipients") and not ReportSchedule(addresses=data.get("addresses", "")).address_list():
            self.add_error("recipients", _("至少选择一位收件人或填写一个邮箱地址 / Add at least one recipient"))
        return data
