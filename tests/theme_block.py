"""Renders the theme app extension's blocks with python-liquid, as a storefront would.

Two things Shopify's Liquid has and plain Liquid does not are stood in for, and nothing else:
- the `{% schema %}` block is the block's settings in JSON, which Shopify reads and never renders:
  it is cut out of the template and parsed (so a malformed schema fails the test);
- the `t` filter looks a key up in the extension's storefront locale of the shop's language
  (falling back to the `.default` one, as Shopify does) and replaces `{{ name }}` in the text
  with the filter's named arguments.
Everything else (the `date` filter, `assign`, `if`, `blank`) is the engine's own."""

from __future__ import annotations

import json
import re
from pathlib import Path

from liquid import Environment

EXTENSION = Path(__file__).resolve().parents[1] / "extensions" / "backorder-ships-by"
SCHEMA = re.compile(r"{%-?\s*schema\s*-?%}(.*?){%-?\s*endschema\s*-?%}", re.S)
PLACEHOLDER = re.compile(r"{{\s*(\w+)\s*}}")


def locales(extension: Path = EXTENSION) -> dict[str, dict]:
    """Storefront locales by language; the default one under its language and under None."""
    found: dict = {}
    for path in sorted((extension / "locales").glob("*.json")):
        if path.name.endswith(".schema.json"):
            continue
        language = path.name.split(".")[0]
        found[language] = json.loads(path.read_text(encoding="utf-8"))
        if ".default." in path.name:
            found[None] = found[language]
    return found


def block(name: str, extension: Path = EXTENSION) -> tuple[str, dict]:
    """The block's template without its schema, and the schema."""
    text = (extension / "blocks" / f"{name}.liquid").read_text(encoding="utf-8")
    match = SCHEMA.search(text)
    assert match, f"{name}.liquid has no schema"
    return SCHEMA.sub("", text), json.loads(match.group(1))


def _lookup(table: dict, key: str) -> str | None:
    node = table
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, str) else None


def render(name: str, language: str, **context) -> str:
    """The block rendered for a shop in `language`, with its default settings unless the
    context gives `block`."""
    template, schema = block(name)
    tables = locales()
    env = Environment()

    def translate(key: str, **values) -> str:
        text = _lookup(tables.get(language, {}), key) or _lookup(tables[None], key)
        if text is None:
            return f"translation missing: {language}.{key}"
        return PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), "")), text)

    env.filters["t"] = translate
    defaults = {s["id"]: s.get("default") for s in schema.get("settings", [])}
    context.setdefault("block", {"settings": defaults, "shopify_attributes": ""})
    return " ".join(env.from_string(template).render(**context).split())
