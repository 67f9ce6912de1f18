"""The services speak the app's own types: the words of Shopify's payloads stay in its adapter,
which parses them (app/platforms/shopify/payloads.py)."""

from __future__ import annotations

from pathlib import Path

import app.services

SERVICES = Path(app.services.__file__).parent
WORDS = ("gid://shopify", "admin_graphql_api_id", "fulfillable_quantity",
         "variant_inventory_management", "flowTrigger", "flow_trigger")
# Known, each with its reason; an entry that no longer matches fails the test, so it is removed.
KNOWN: set[tuple[str, str]] = set()


def _words(path: Path) -> list[str]:
    text = path.read_text()
    return [word for word in WORDS if word in text]


def _found(root: Path) -> set[tuple[str, str]]:
    return {(str(path.relative_to(root)), word)
            for path in sorted(root.rglob("*.py")) for word in _words(path)}


def test_no_service_module_speaks_a_platform_payload():
    assert len(list(SERVICES.rglob("*.py"))) >= 15
    found = _found(SERVICES)
    assert found - KNOWN == set(), "parse platform payloads in the platform's adapter"
    assert KNOWN - found == set(), "no longer there: drop it from KNOWN"


def test_the_check_catches_a_platform_word(tmp_path):
    (tmp_path / "clean.py").write_text('ORDER = "order"\n')
    (tmp_path / "bad.py").write_text('def gid(kind, value):\n'
                                     '    return f"gid://shopify/{kind}/{value}"\n'
                                     'KEY = "admin_graphql_api_id"\n')
    assert _found(tmp_path) == {("bad.py", "gid://shopify"), ("bad.py", "admin_graphql_api_id")}
