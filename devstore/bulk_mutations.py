"""Bulk mutation operations (Shopify's bulk import): the variables of many runs of one mutation
are uploaded as a JSONL file to a staged upload target, then `bulkOperationRunMutation` runs the
mutation once per line, asynchronously, and serves one result line per input line.

What the simulator holds to, from the bulk import guide and the 2026-10 schema:
- the file is staged first: `stagedUploadsCreate` with resource `BULK_MUTATION_VARIABLES` gives a
  target URL and form parameters; the `key` parameter is the `stagedUploadPath`;
- from 2026-01 an app may run up to five bulk mutation operations at a time per shop
  (`LIMIT_REACHED` beyond that), and bulk queries run beside them;
- refusals are `BulkMutationUserError`s with the codes of `BulkMutationErrorCode`: `NO_SUCH_FILE`
  (nothing staged under that path), `INVALID_MUTATION` (not exactly one mutation field),
  `INVALID_STAGED_UPLOAD_FILE` (a line that is not a JSON object);
- each line runs on its own: one refused (its payload's `userErrors`) or failing (`errors`) leaves
  the others done. The result file has the mutation's response for each line, with `__lineNumber`
  (counted from 0) naming the input line;
- a bulk operation costs the bucket only its own mutation, not the runs it makes.

The lines run when the operation completes (`bulk_delay` after it was created), not before: until
then the store shows none of their effects, as a real store may not."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

from graphql import GraphQLError, OperationDefinitionNode, execute, parse, validate

from .context import RequestContext
from .model import BulkOperation

MAX_RUNNING = 5
RESOURCE = "BULK_MUTATION_VARIABLES"
UPLOAD_PATH = "/_devstore/staged-uploads"


def stage(ctx: RequestContext, inputs: list[dict]) -> tuple[list[dict], list[dict]]:
    """A target per input; only bulk mutation variables are staged by the simulator."""
    targets = []
    for index, item in enumerate(inputs):
        if item.get("resource") != RESOURCE or item.get("httpMethod", "PUT") != "POST":
            return [], [{"field": ["input", str(index), "resource"],
                         "message": f"The store simulator stages only {RESOURCE} with POST."}]
        key = f"tmp/{ctx.shop.id}/bulk/{uuid.uuid4()}/{item['filename']}"
        targets.append({
            "url": ctx.base_url.rstrip("/") + UPLOAD_PATH,
            "resourceUrl": f"{ctx.base_url.rstrip('/')}{UPLOAD_PATH}/{key}",
            "parameters": [{"name": "key", "value": key},
                           {"name": "Content-Type", "value": item.get("mimeType") or "text/jsonl"},
                           {"name": "success_action_status", "value": "201"}]})
    return targets, []


def run_mutation(ctx: RequestContext, mutation: str, staged_path: str,
                 client_identifier: str | None = None) -> tuple[BulkOperation | None, list[dict]]:
    from .schema import admin_schema
    from .supported import unsupported

    running = [op for op in ctx.shop.bulk_operations.values()
               if op.type == "MUTATION" and op.status in ("CREATED", "RUNNING")]
    if len(running) >= MAX_RUNNING:
        return None, [_error(None, f"Bulk operations limit reached: {MAX_RUNNING} bulk mutations "
                                   "are running. Please try again later.", "LIMIT_REACHED")]
    content = ctx.core.staged_files.get(staged_path)
    if content is None:
        return None, [_error(["stagedUploadPath"], "The JSONL file could not be found.",
                             "NO_SUCH_FILE")]
    schema = admin_schema()
    problem = _mutation_problem(schema, mutation)
    if problem is None:
        operation = _operation(parse(mutation))
        found = unsupported(schema, parse(mutation), operation, {}, bulk=False)
        problem = found[0].message if found else None
    if problem is not None:
        return None, [_error(["mutation"], f"Invalid mutation: {problem}", "INVALID_MUTATION")]
    lines = _variables(content)
    if lines is None:
        return None, [_error(["stagedUploadPath"], "Unexpected file structure - expected JSONL "
                                                   "of JSON objects.", "INVALID_STAGED_UPLOAD_FILE")]
    operation = BulkOperation(id=ctx.core.ids.next("BulkOperation"), query=mutation,
                              status="CREATED", created_at=ctx.core.now(), type="MUTATION",
                              variables=lines)
    ctx.shop.bulk_operations[operation.id] = operation
    return operation, []


def complete(ctx: RequestContext, operation: BulkOperation) -> None:
    """Runs every line, each on its own, and keeps one result line per input line."""
    from .schema import admin_schema, strict_resolver

    schema, document = admin_schema(), parse(operation.query)
    results = []
    for number, variables in enumerate(operation.variables):
        result = execute(schema, document, variable_values=variables,
                         context_value=replace(ctx, bulk=False), field_resolver=strict_resolver)
        line: dict = {"data": result.data}
        if result.errors:
            line["errors"] = [{"message": e.message} for e in result.errors]
        line["__lineNumber"] = number
        results.append(json.dumps(line))
    operation.lines = results


def _mutation_problem(schema, mutation: str) -> str | None:
    try:
        document = parse(mutation)
    except GraphQLError as exc:
        return exc.message
    errors = validate(schema, document)
    if errors:
        return errors[0].message
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation.value != "mutation":
        return "a bulk mutation has exactly one mutation operation"
    if len(operations[0].selection_set.selections) != 1:
        return "a bulk mutation runs exactly one mutation field"
    return None


def _operation(document) -> OperationDefinitionNode:
    return next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))


def _variables(content: bytes) -> list[dict] | None:
    lines = []
    for raw in content.decode("utf-8", errors="replace").splitlines():
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            return None
        if not isinstance(value, dict):
            return None
        lines.append(value)
    return lines


def _error(field: list[str] | None, message: str, code: str) -> dict:
    return {"field": field, "message": message, "code": code}
