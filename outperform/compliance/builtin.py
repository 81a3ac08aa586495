"""The default checklists (默认检查表); created by a data migration and by the demo."""

from __future__ import annotations

from typing import Any

DEFAULT_CHECKLISTS: list[dict[str, Any]] = [
    {"code": "CL-INFOSEC", "name": "信息安全审查", "area": "infosec", "items": [
        "建立信息安全管理制度并定期评审", "终端安装防病毒软件并及时更新", "客户数据加密存储与传输",
        "禁止使用未经批准的外部存储设备", "安全事件按规定时限上报"]},
    {"code": "CL-CONFIDENTIALITY", "name": "保密义务", "area": "confidentiality", "items": [
        "全部驻场人员签署保密协议", "涉密资料按密级分类管理", "离场人员完成资料交接与权限回收",
        "禁止在外部平台讨论客户业务"]},
    {"code": "CL-TRAINING", "name": "人员安全培训", "area": "training", "items": [
        "新入场人员完成安全培训", "每年至少一次安全意识复训", "培训考核合格率不低于 95%",
        "关键岗位人员持证上岗"]},
    {"code": "CL-ACCESS", "name": "访问控制", "area": "access", "items": [
        "账号实名且一人一号", "按最小权限原则授权", "特权账号操作留痕可审计",
        "人员调岗离场 24 小时内回收权限", "每季度复核账号权限"]},
]


def load_default_checklists(apps: Any = None) -> int:
    """Create the default checklists that are missing; return how many were created."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    model = apps.get_model("compliance", "ComplianceChecklist")
    existing = set(model.objects.values_list("code", flat=True))
    rows = [model(**spec) for spec in DEFAULT_CHECKLISTS if spec["code"] not in existing]
    model.objects.bulk_create(rows)
    return len(rows)
