"""Masks for personal data shown to those who may not see it whole."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    # Keep the region's first 3 and the last 4, as Chinese systems commonly show: 110***********1234.
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_mobile(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_money(_value: object) -> str:
    return "***"


MASKERS = {"id_number": mask_id_number, "mobile": mask_mobile}


def mask_field(field: str, value: object) -> object:
    masker = MASKERS.get(field)
    if masker is not None:
        return masker(value if isinstance(value, str) else None)
    return mask_money(value)
