"""The result cells of archived cycles (models.ResultCell): built once per archiving, read by the
dashboards instead of the appraisals. A cycle moved back from 已归档 loses its cells' validity
(its `archived_at` changes when it is archived again), so stale cells are never read."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import RowNumber

from outperform.cycles.models import Appraisal, Cycle, CycleState
from outperform.indicators.models import SubjectKind

from .models import CycleSummary, ResultCell, ResultExtreme

TOP_N = 10


def summary_fresh(cycle: Cycle, markers: dict[int, CycleSummary]) -> bool:
    marker = markers.get(cycle.pk)
    return (cycle.state == CycleState.ARCHIVED and marker is not None and cycle.archived_at is not None
            and marker.archived_at == cycle.archived_at)


def summary_markers(cycle_ids: list[int]) -> dict[int, CycleSummary]:
    return {m.cycle_id: m for m in CycleSummary.objects.filter(cycle_id__in=cycle_ids)}


@transaction.atomic
def summary_build(cycle_id: int) -> int:
    """(Re)build the cells of an archived cycle; returns the number of cells (0 if not archived)."""
    cycle = Cycle.objects.select_for_update().get(pk=cycle_id)
    marker = CycleSummary.objects.filter(cycle=cycle).first()
    if cycle.state != CycleState.ARCHIVED or cycle.archived_at is None:
        return 0
    if marker is not None and marker.archived_at == cycle.archived_at:
        return marker.cells  # built meanwhile by another request
    ResultCell.objects.filter(cycle=cycle).delete()
    published = Q(published_at__isnull=False)
    rows = (Appraisal.objects.filter(cycle=cycle, subject_kind=SubjectKind.WORKER, composite__isnull=False)
            .order_by().values("department_id", "vendor_id", "position_id", "grade")
            .annotate(n=Count("id"), total=Sum("composite"), pn=Count("id", filter=published),
                      pt=Sum("composite", filter=published)))
    cells = [ResultCell(cycle=cycle, department_id=r["department_id"], vendor_id=r["vendor_id"],
                        position_id=r["position_id"], grade=r["grade"], n=r["n"], total=r["total"] or 0,
                        published_n=r["pn"], published_total=r["pt"] or 0) for r in rows]
    ResultCell.objects.bulk_create(cells, batch_size=2000)
    ResultExtreme.objects.filter(cycle=cycle).delete()
    for published_only in (False, True):
        for best in (True, False):
            _build_extremes(cycle, best=best, published_only=published_only)
    CycleSummary.objects.update_or_create(cycle=cycle, defaults={"archived_at": cycle.archived_at,
                                                                 "cells": len(cells)})
    return len(cells)


def summary_build_all() -> dict[str, int]:
    """Build the cells of every archived cycle that lacks fresh ones (the nightly task)."""
    cycles = list(Cycle.objects.filter(state=CycleState.ARCHIVED, subject_kind=SubjectKind.WORKER))
    markers = summary_markers([c.pk for c in cycles])
    built = 0
    for cycle in cycles:
        if not summary_fresh(cycle, markers):
            summary_build(cycle.pk)
            built += 1
    return {"cycles": len(cycles), "built": built}


def _build_extremes(cycle: Cycle, *, best: bool, published_only: bool) -> None:
    """The first TOP_N of every cell in the dashboard's order (composite, then name, then id)."""
    order = ([F("composite").desc(), F("subject_name").asc(), F("id").asc()] if best
             else [F("composite").asc(), F("subject_name").asc(), F("id").asc()])
    qs = Appraisal.objects.filter(cycle=cycle, subject_kind=SubjectKind.WORKER, composite__isnull=False)
    if published_only:
        qs = qs.filter(published_at__isnull=False)
    ranked = qs.annotate(place=Window(RowNumber(), partition_by=[F("department_id"), F("vendor_id"), F("position_id")],
                                      order_by=order))
    rows = ranked.filter(place__lte=TOP_N).values_list("id", "department_id", "vendor_id", "position_id",
                                                        "subject_name", "composite", "grade_name")
    ResultExtreme.objects.bulk_create(
        [ResultExtreme(cycle=cycle, appraisal_id=r[0], department_id=r[1], vendor_id=r[2], position_id=r[3],
                       best=best, published_only=published_only, subject_name=r[4], composite=r[5] or 0,
                       grade_name=r[6]) for r in rows], batch_size=2000)
