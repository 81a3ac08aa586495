from __future__ import annotations

from outperform.core import excel
from outperform.core.importing import ModelImporter, choice_parser

from .models import RuleMatch, SalaryRule


class SalaryRuleImporter(ModelImporter):
    model = SalaryRule
    key = "name"
    sheet = excel.SheetSpec(
        "调薪规则",
        [
            excel.Column("name", "规则名称", "Rule name", excel.parse_text(max_length=100, fold_width=False),
                         required=True, example="连续两期优秀"),
            excel.Column("grade_name", "绩效等级", "Grade", excel.parse_text(max_length=20, fold_width=False),
                         required=True, example="优秀"),
            excel.Column("match", "条件", "Condition", choice_parser(RuleMatch), required=True, example="连续均为"),
            excel.Column("cycles", "最近周期数", "Last N cycles", excel.parse_int(min_value=1, max_value=12),
                         required=True, example=2),
            excel.Column("min_pct", "调幅下限(%)", "Minimum raise (%)",
                         excel.parse_decimal(2, min_value=-50, max_value=100), required=True, example="5"),
            excel.Column("max_pct", "调幅上限(%)", "Maximum raise (%)",
                         excel.parse_decimal(2, min_value=-50, max_value=100), required=True, example="10"),
            excel.Column("priority", "优先级", "Priority", excel.parse_int(min_value=0, max_value=32767), example=10),
            excel.Column("is_active", "启用", "Active", excel.parse_bool(), example="是"),
        ],
    )
