from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Worker


class WorkerForm(forms.ModelForm):
    base_salary_yuan = forms.DecimalField(
        label=_("基本工资（元）"), max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    base_bonus_yuan = forms.DecimalField(
        label=_("绩效奖金基数（元）"), max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )

    class Meta:
        model = Worker
        fields = ["employee_no", "name", "gender", "mobile", "id_number", "email", "vendor", "department", "project",
                  "position", "supervisor", "hire_date", "leave_date", "status"]
        widgets = {
            "hire_date": forms.DateInput(attrs={"type": "date"}),
            "leave_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk:
            self.fields["base_salary_yuan"].initial = Decimal(self.instance.base_salary_fen) / 100
            self.fields["base_bonus_yuan"].initial = Decimal(self.instance.base_bonus_fen) / 100

    def clean_id_number(self) -> str:
        return (self.cleaned_data.get("id_number") or "").strip().upper()

    def save(self, commit: bool = True) -> Worker:
        for field in ("base_salary", "base_bonus"):
            value = self.cleaned_data.get(f"{field}_yuan")
            if value is not None:
                setattr(self.instance, f"{field}_fen", int(value * 100))
        return super().save(commit)
