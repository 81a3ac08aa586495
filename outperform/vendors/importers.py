from outperform.core import excel
from outperform.core.importing import ForeignRef, ModelImporter, choice_parser

from .models import Contract, ContractStatus, Vendor, VendorCategory, VendorStatus


class VendorImporter(ModelImporter):
    model = Vendor
    key = "credit_code"
    sheet = excel.SheetSpec(
        "服务商",
        [
            excel.Column("credit_code", "统一社会信用代码", "Credit code", excel.parse_text(max_length=18, upper=True),
                         required=True, example="91310000MA1FL0XQ3D"),
            excel.Column("name", "服务商名称", "Name", excel.parse_text(max_length=120, fold_width=False), required=True,
                         example="上海卓越人力资源有限公司"),
            excel.Column("category", "服务类别", "Category", choice_parser(VendorCategory), required=True,
                         example="劳务外包"),
            excel.Column("contact_name", "联系人", "Contact", excel.parse_text(max_length=60, fold_width=False), example="王经理"),
            excel.Column("contact_mobile", "联系电话", "Contact mobile", excel.parse_text(max_length=20),
                         example="13800138000"),
            excel.Column("contact_email", "联系邮箱", "Contact e-mail", excel.parse_text(max_length=254)),
            excel.Column("address", "地址", "Address", excel.parse_text(max_length=200, fold_width=False)),
            excel.Column("status", "状态", "Status", choice_parser(VendorStatus), example="合作中"),
            excel.Column("note", "备注", "Note", excel.parse_text(max_length=2000, fold_width=False)),
        ],
    )


class ContractImporter(ModelImporter):
    model = Contract
    key = "number"
    money_columns = frozenset({"amount_fen"})
    sheet = excel.SheetSpec(
        "外包合同",
        [
            excel.Column("number", "合同编号", "Number", excel.parse_text(max_length=50), required=True,
                         example="HT-2026-001"),
            excel.Column("vendor", "服务商", "Vendor", excel.parse_text(max_length=120, fold_width=False), required=True,
                         comment="服务商名称或统一社会信用代码 / vendor name or credit code",
                         example="上海卓越人力资源有限公司"),
            excel.Column("title", "合同名称", "Title", excel.parse_text(max_length=150, fold_width=False), required=True,
                         example="2026年度客服外包服务合同"),
            excel.Column("start_date", "开始日期", "Start date", excel.parse_date(), required=True,
                         example="2026-01-01"),
            excel.Column("end_date", "结束日期", "End date", excel.parse_date(), required=True, example="2026-12-31"),
            excel.Column("amount_fen", "合同金额（元）", "Amount (yuan)", excel.parse_money_fen(), example="1200000.00"),
            excel.Column("service_scope", "服务范围", "Service scope", excel.parse_text(max_length=4000, fold_width=False)),
            excel.Column("confidentiality_duty", "保密义务", "Confidentiality duty", excel.parse_bool(), example="是"),
            excel.Column("status", "状态", "Status", choice_parser(ContractStatus), example="履行中"),
        ],
    )
    refs = (ForeignRef("vendor", Vendor, ("name", "credit_code"), "服务商"),)
