"""The app must run with the runtime dependencies alone (make run installs no dev packages)."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEV_ONLY = {"django_stubs_ext", "factory", "hypothesis", "pytest", "playwright", "mypy", "ruff"}


def test_no_runtime_module_imports_a_development_package():
    code = (
        "import sys, importlib, django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')\n"
        f"blocked = {sorted(DEV_ONLY)!r}\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in blocked: raise ImportError('dev-only package imported: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "django.setup()\n"
        "from django.urls import get_resolver; get_resolver().url_patterns\n"
        "import config.wsgi\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_pyproject_runtime_dependencies_exclude_dev_tools():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [d for d in deps if d.split(">")[0].split("[")[0].lower() in {"pytest", "mypy", "ruff", "playwright"}]
