"""Bulk query operations: the query runs over the whole store (no page sizes) and its result is
served as Shopify's JSONL: one object per line, nested connection nodes on their own lines with
`__parentId` naming their parent.

Since 2026-01 the output is not grouped by default (fact 18; schema, `bulkOperationRunQuery
(groupObjects:)`, default false): a child can come before its parent. Ungrouped, the simulator
writes every object's children before the object itself, so a reader that assumes parent-first
fails here as it would in production. `groupObjects: true` writes each parent before its children."""

from __future__ import annotations

import json
from dataclasses import replace

from graphql import GraphQLError, OperationDefinitionNode, execute, parse, validate

from .context import RequestContext
from .model import BulkOperation


def run_query(ctx: RequestContext, query: str, group_objects: bool = False) -> tuple[BulkOperation | None, list[dict]]:
    from .schema import admin_schema, strict_resolver
    from .supported import unsupported

    if any(op.type == "QUERY" and op.status in ("CREATED", "RUNNING")
           for op in ctx.shop.bulk_operations.values()):
        return None, [_error("A bulk query operation for this app and shop is already in progress.", "OPERATION_IN_PROGRESS")]
    schema = admin_schema()
    try:
        document = parse(query)
    except GraphQLError as exc:
        return None, [_error(f"Invalid bulk query: {exc.message}", "INVALID")]
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    problems = validate(schema, document) or (
        [GraphQLError("Bulk queries must contain exactly one query operation.")]
        if len(operations) != 1 or operations[0].operation.value != "query"
        else unsupported(schema, document, operations[0], {}, bulk=True))
    if problems:
        return None, [_error(f"Invalid bulk query: {problems[0].message}", "INVALID")]
    result = execute(schema, document, context_value=replace(ctx, bulk=True), field_resolver=strict_resolver)
    if result.errors:
        return None, [_error(f"Invalid bulk query: {result.errors[0].message}", "INVALID")]
    now = ctx.core.now()
    operation = BulkOperation(id=ctx.core.ids.next("BulkOperation"), query=query, status="CREATED",
                              created_at=now, lines=[json.dumps(row) for row in flatten(result.data, group_objects)])
    ctx.shop.bulk_operations[operation.id] = operation
    return operation, []


def advance(ctx: RequestContext, operation: BulkOperation) -> None:
    """A bulk operation completes once `bulk_delay` seconds have passed since it was created; a
    bulk mutation's runs happen then."""
    core = ctx.core
    if operation.status == "CREATED" and core.now() >= operation.created_at + core.bulk_delay:
        if operation.type == "MUTATION":
            from .bulk_mutations import complete

            complete(ctx, operation)
        operation.status = "COMPLETED"
        operation.completed_at = core.now()


def _error(message: str, code: str) -> dict:
    return {"field": ["query"], "message": message, "code": code}


def flatten(data: dict, group_objects: bool = False) -> list[dict]:
    rows: list[dict] = []
    for value in data.values():
        if _is_connection(value):
            for node in _nodes(value):
                _emit(node, None, rows, group_objects)
    return rows


def _emit(node: dict, parent_id: str | None, rows: list[dict], parent_first: bool) -> None:
    row = {key: value for key, value in node.items() if not _is_connection(value)}
    if parent_id is not None:
        row["__parentId"] = parent_id
    if parent_first:
        rows.append(row)
    for value in node.values():
        if _is_connection(value):
            for child in _nodes(value):
                _emit(child, node.get("id"), rows, parent_first)
    if not parent_first:
        rows.append(row)


def _is_connection(value) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"edges", "nodes", "pageInfo"} \
        and ("edges" in value or "nodes" in value)


def _nodes(connection: dict) -> list[dict]:
    if "nodes" in connection:
        return [n for n in connection["nodes"] if n is not None]
    return [edge["node"] for edge in connection.get("edges", []) if edge and edge.get("node") is not None]
