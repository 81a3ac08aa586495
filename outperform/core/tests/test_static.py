"""`make run` and production collect static files with the manifest storage, which fails on any file
that references a missing one (e.g. a source map)."""

import pytest
from django.core.management import call_command


def test_collectstatic_with_the_production_storage(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()


@pytest.mark.django_db
def test_pages_render_with_hashed_static_names(tmp_path, settings, world, client_for):
    test_collectstatic_with_the_production_storage(tmp_path, settings)
    body = client_for("hr").get("/").content.decode()
    assert "bootstrap.min." in body and "/static/" in body
