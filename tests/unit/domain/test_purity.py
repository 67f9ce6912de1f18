"""The domain stays pure: it imports the standard library and itself, nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import app.domain

DOMAIN = Path(app.domain.__file__).parent


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: inside the package
                names.append("app.domain")
            else:
                names.append(node.module or "")
    return names


def _allowed(name: str) -> bool:
    top = name.split(".")[0]
    return top in sys.stdlib_module_names or name == "app.domain" or name.startswith("app.domain.")


def test_every_domain_module_imports_only_stdlib_or_domain():
    modules = sorted(DOMAIN.rglob("*.py"))
    assert len(modules) >= 10
    offenders = {
        str(path.relative_to(DOMAIN)): bad
        for path in modules
        if (bad := [name for name in _imports(path) if not _allowed(name)])
    }
    assert offenders == {}


def test_the_check_catches_a_foreign_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("import flask\nfrom sqlalchemy import select\nimport datetime\n")
    assert [name for name in _imports(module) if not _allowed(name)] == ["flask", "sqlalchemy"]


def _platform_imports(path: Path) -> list[str]:
    return [name for name in _imports(path) if name.split(".")[:2] == ["app", "platforms"]]


def test_services_and_domain_import_no_platform():
    """The core is shared by Shopify and Saleor: only the adapters know a platform."""
    root = DOMAIN.parent
    modules = sorted((root / "services").rglob("*.py")) + sorted(DOMAIN.rglob("*.py"))
    assert len(modules) >= 25
    offenders = {str(p.relative_to(root)): bad for p in modules if (bad := _platform_imports(p))}
    assert offenders == {}


def test_the_platform_check_catches_an_adapter_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from app.platforms.saleor.api import SaleorApi\nimport app.services\n")
    assert _platform_imports(module) == ["app.platforms.saleor.api"]
