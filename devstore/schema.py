"""The real Admin API schema (2026-10), built once per process with the simulator's root resolvers
attached. Resolvers find the shop through the request context, so one schema serves every store."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Mapping
from pathlib import Path

from graphql import GraphQLError, GraphQLSchema, build_client_schema

from .resolvers import MUTATION_FIELDS, QUERY_FIELDS

SCHEMA_PATH = Path(__file__).parent / "data" / "admin-2026-10.schema.json.gz"
API_VERSION = "2026-10"
_lock = threading.Lock()
_schema: GraphQLSchema | None = None


def admin_schema() -> GraphQLSchema:
    global _schema
    with _lock:
        if _schema is None:
            with gzip.open(SCHEMA_PATH, "rt", encoding="utf-8") as handle:
                schema = build_client_schema(json.load(handle)["data"])
            for name, resolver in QUERY_FIELDS.items():
                schema.query_type.fields[name].resolve = resolver
            for name, resolver in MUTATION_FIELDS.items():
                schema.mutation_type.fields[name].resolve = resolver
            _schema = schema
        return _schema


def strict_resolver(source, info, **args):
    """Like graphql-core's default resolver, but a field missing from a view is an error, not null."""
    name = info.field_name
    if not isinstance(source, Mapping) or name not in source:
        raise GraphQLError(f"Field '{info.parent_type.name}.{name}' is not supported by the store simulator.")
    value = source[name]
    return value(info, **args) if callable(value) else value
