from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevelopmentConfig(AppConfig):
    name = "outperform.development"
    label = "development"
    verbose_name = _("发展与改进")

    def ready(self) -> None:
        # Training records are a record kind a metric may aggregate ("training hours", "completion
        # rate"): registered with the records app's registry, under a key that never changes.
        from outperform.records.registry import RecordSource, register

        from .importers import TrainingRecordImporter
        from .models import TrainingRecord

        register(RecordSource(
            key="training_record",
            model=TrainingRecord,
            label=_("培训记录"),
            date_field="date",
            subject_paths={"worker": "worker", "vendor": "vendor", "department": "department"},
            fields={"hours": "number", "completed": "bool", "score": "number", "date": "date"},
            natural_key=("external_id",),
            importer=TrainingRecordImporter,
        ))
