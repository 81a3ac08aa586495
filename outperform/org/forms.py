from django import forms

from .models import Department, Position, Project


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["code", "name", "parent", "head", "is_active"]


class PositionForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = ["code", "name", "category", "description", "is_active"]


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["code", "name", "department", "manager", "clients", "start_date", "end_date", "status",
                  "description"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }
