from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .sources import IngestSource


class UploadForm(forms.Form):
    source = forms.ChoiceField(label=_("数据类型"))
    file = forms.FileField(label=_("文件（.xlsx / .csv）"))

    def __init__(self, *args: Any, sources: list[IngestSource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.key, s.label) for s in sources]


class MappingForm(forms.Form):
    """One select per file column: which column of the source it is (or none)."""

    def __init__(self, *args: Any, source: IngestSource, headers: list[str], initial_mapping: dict[int, str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("（不导入）"))] + [
            (c.key, f"{c.header_zh} / {c.header_en}" + (" *" if c.required or c.key == source.natural_key else ""))
            for c in source.spec.columns
        ]
        self.headers = headers
        for position, header in enumerate(headers):
            self.fields[f"col_{position}"] = forms.ChoiceField(
                label=header or f"#{position + 1}", choices=choices, required=False,
                initial=initial_mapping.get(position, ""),
            )

    def mapping(self) -> dict[int, str]:
        return {int(name[4:]): value for name, value in self.cleaned_data.items() if value}
