from django import forms

from .models import Contract, ServiceLevel, Vendor


class VendorForm(forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "credit_code", "category", "contact_name", "contact_mobile", "contact_email", "address",
                  "status", "note"]


class ContractForm(forms.ModelForm):
    amount_yuan = forms.DecimalField(label="合同金额（元）/ Amount (yuan)", max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = Contract
        fields = ["vendor", "number", "title", "start_date", "end_date", "service_scope", "confidentiality_duty",
                  "status"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if self.instance.pk:
            self.fields["amount_yuan"].initial = self.instance.amount_fen / 100

    def save(self, commit: bool = True) -> Contract:
        # Yuan in the form, fen in the database: exact, via Decimal.
        self.instance.amount_fen = int(self.cleaned_data["amount_yuan"] * 100)
        return super().save(commit)


class ServiceLevelForm(forms.ModelForm):
    class Meta:
        model = ServiceLevel
        fields = ["contract", "metric", "comparator", "target", "unit", "note"]
