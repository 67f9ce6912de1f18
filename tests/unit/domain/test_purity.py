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


def _web_imports(path: Path) -> list[str]:
    web = ("flask", "werkzeug", "app.errors", "app.admin", "webhooks")
    return [n for n in _imports(path) if any(n == w or n.startswith(w + ".") for w in web)]


def test_services_adapters_and_storage_raise_their_own_errors():
    """Only the web layer knows HTTP: the layers under it raise their own errors, which the web
    turns into answers in one place (app/errors.py)."""
    root = DOMAIN.parent
    modules = [p for layer in ("services", "platforms", "storage")
               for p in sorted((root / layer).rglob("*.py"))]
    offenders = {str(p.relative_to(root)): bad for p in modules if (bad := _web_imports(p))}
    assert offenders == {}


def test_the_web_check_catches_a_web_import(tmp_path):
    module = tmp_path / "bad.py"
    module.write_text("from app.errors import BadRequest\nfrom flask import request\nimport json\n")
    assert _web_imports(module) == ["app.errors", "flask"]


def _opens_transactions(path: Path) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr in ("transaction", "read")
               and isinstance(node.value, ast.Attribute) and node.value.attr == "db"
               for node in ast.walk(ast.parse(path.read_text())))


def test_routes_and_jobs_leave_transactions_to_the_services():
    """One transaction rule: a service call is its own unit of work; routes and jobs parse,
    call one service and answer, and never open a transaction themselves."""
    app_root = DOMAIN.parent
    entry_points = [*sorted((app_root / "admin").rglob("*.py")), app_root / "auth.py",
                    app_root / "jobs.py", *sorted((app_root.parent / "webhooks").rglob("*.py"))]
    assert [str(p.name) for p in entry_points if _opens_transactions(p)] == []


def test_the_transaction_check_catches_one(tmp_path):
    module = tmp_path / "route.py"
    module.write_text("def view(services):\n    with services.db.transaction() as s:\n"
                      "        return s\n")
    assert _opens_transactions(module)


QUERIES = ("execute", "scalar", "scalars", "get", "add", "add_all", "delete", "query",
           "connection")


def _storage_reach(path: Path) -> list[str]:
    """SQLAlchemy imported, or a query method called on a transaction (`s`/`tx`)."""
    tree = ast.parse(path.read_text())
    imports = [n for n in _imports(path) if n.split(".")[0] == "sqlalchemy"]
    calls = [f"{node.func.value.id}.{node.func.attr}" for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and isinstance(node.func.value, ast.Name) and node.func.value.id in ("s", "tx")
             and node.func.attr in QUERIES]
    return imports + calls


def test_services_reach_storage_only_through_its_modules():
    """Storage behind repositories: every query lives in `app/storage`, named for what it reads
    or writes; the services hold the unit of work and pass it on."""
    services = sorted((DOMAIN.parent / "services").rglob("*.py"))
    assert len(services) >= 20
    offenders = {p.name: bad for p in services if (bad := _storage_reach(p))}
    assert offenders == {}


def test_the_storage_check_catches_a_query(tmp_path):
    module = tmp_path / "service.py"
    module.write_text("from sqlalchemy import select\n\ndef read(s):\n"
                      "    return s.scalars(select(1))\n")
    assert _storage_reach(module) == ["sqlalchemy", "s.scalars"]
