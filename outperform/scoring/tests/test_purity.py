"""The scoring package stays pure: no Django, no ORM, no I/O, no eval."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent
REPO = PACKAGE.parent.parent
SOURCES = sorted(PACKAGE.rglob("*.py"))

# Modules a pure computation has no business importing.
FORBIDDEN_IMPORTS = ("django", "rest_framework", "celery", "outperform.core", "sqlite3", "psycopg",
                     "requests", "socket", "subprocess", "os")
FORBIDDEN_CALLS = ("eval", "exec", "compile", "__import__", "open")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _is_forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN_IMPORTS)


def test_the_scan_sees_the_package() -> None:
    assert {"engine.py", "formula.py", "composite.py"} <= {p.name for p in SOURCES}


@pytest.mark.parametrize("path", [p for p in SOURCES if "tests" not in p.parts], ids=lambda p: p.name)
def test_engine_modules_import_nothing_impure(path: Path) -> None:
    bad = [name for name in _imports(path) if _is_forbidden(name)]
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_django(path: Path) -> None:
    # The tests too: the engine's suite must run without Django installed or configured.
    assert not [name for name in _imports(path) if name == "django" or name.startswith("django.")]


@pytest.mark.parametrize("path", [p for p in SOURCES if "tests" not in p.parts], ids=lambda p: p.name)
def test_engine_modules_never_eval(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    calls = [node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS]
    assert not calls, f"{path.name} calls {calls}"


def test_importing_the_package_does_not_load_django() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    code = ("import sys, outperform.scoring; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'rest_framework', 'celery')); "
            "print(','.join(bad)); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, f"importing outperform.scoring loaded: {done.stdout} {done.stderr}"
