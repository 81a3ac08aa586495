from django.urls import path

from . import views
from .resources import IngestBatchResource

app_name = "ingest"

_batches = IngestBatchResource().urls()[0]  # the list; the batch page is our own

urlpatterns = [
    path("", views.upload, name="upload"),
    path("templates/<slug:source>.xlsx", views.template, name="template"),
    _batches,
    # The list's "导入" button leads to the upload page.
    path("batches/import/", views.upload, name="batches_import"),
    path("batches/<int:pk>/", views.batch_detail, name="batches_detail"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/mapping/", views.mapping, name="mapping"),
    path("batches/<int:pk>/run/", views.batch_run, name="run"),
    path("batches/<int:pk>/progress/", views.batch_progress, name="progress"),
    path("batches/<int:pk>/errors.xlsx", views.error_report, name="errors"),
]
