"""The alternatives module is pure domain: standard library and `app.domain` only."""

import ast
import sys
from pathlib import Path

import app.domain.alternatives as module


def test_imports_only_the_standard_library_and_the_domain():
    tree = ast.parse(Path(module.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported  # the walk found the imports
    for name in imported:
        top = name.split(".")[0]
        assert top in sys.stdlib_module_names or top == "__future__" or name.startswith("app.domain"), name
