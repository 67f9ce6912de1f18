"""One Admin GraphQL request, end to end: parse, validate against the real schema, refuse what the
simulator does not implement, charge the cost bucket, execute, refund, report the cost."""

from __future__ import annotations

from graphql import GraphQLError, execute, get_operation_ast, parse, validate

from .context import RequestContext
from .cost import MAX_QUERY_COST, CostCalculator, LeakyBucket
from .schema import admin_schema, strict_resolver
from .supported import unsupported

THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits"


def run(ctx: RequestContext, body: dict, bucket: LeakyBucket, counters: dict) -> dict:
    counters["api_requests"] = counters.get("api_requests", 0) + 1
    query, variables = body.get("query"), body.get("variables") or {}
    if not isinstance(query, str) or not query.strip():
        return _failed([{"message": "No query string was present", "extensions": {"code": "BAD_REQUEST"}}], bucket)
    if not isinstance(variables, dict):
        return _failed([{"message": "Variables must be a JSON object", "extensions": {"code": "BAD_REQUEST"}}], bucket)
    schema = admin_schema()
    try:
        document = parse(query)
    except GraphQLError as exc:
        return _failed([_format(exc, "GRAPHQL_PARSE_FAILED")], bucket)
    problems = validate(schema, document)
    if problems:
        return _failed([_format(p, _validation_code(p)) for p in problems], bucket)
    operation = get_operation_ast(document, body.get("operationName"))
    if operation is None:
        return _failed([{"message": "An operation name is required when the document has several operations, or the name given does not match one.", "extensions": {"code": "OPERATION_NOT_FOUND"}}], bucket)
    missing = unsupported(schema, document, operation, variables)
    if missing:
        return _failed([_format(p) for p in missing], bucket)
    return _charged(ctx, schema, document, operation, body, bucket, counters)


def _charged(ctx, schema, document, operation, body, bucket, counters) -> dict:
    calculator = CostCalculator(schema, document, body.get("variables") or {})
    requested = calculator.requested(operation)
    if requested > MAX_QUERY_COST:
        return _failed([{"message": f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).",
                         "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": MAX_QUERY_COST}}],
                       bucket, requested)
    if not bucket.take(requested):
        counters["throttled"] = counters.get("throttled", 0) + 1
        return _failed([{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": THROTTLE_DOCS}}],
                       bucket, requested)
    with ctx.core.lock:
        result = execute(schema, document, variable_values=body.get("variables") or {},
                         operation_name=body.get("operationName"), context_value=ctx,
                         field_resolver=strict_resolver)
        actual = calculator.actual(operation, result.data)
    bucket.refund(requested - actual)
    counters["cost"] = counters.get("cost", 0) + actual
    by_operation = counters.setdefault("cost_by_operation", {})
    name = operation.name.value if operation.name else operation.operation.value
    by_operation[name] = by_operation.get(name, 0) + actual
    requests = counters.setdefault("requests_by_operation", {})
    requests[name] = requests.get(name, 0) + 1
    response: dict = {"data": result.data}
    if result.errors:
        response["errors"] = [_format(e) for e in result.errors]
    response["extensions"] = _cost(requested, actual, bucket)
    return response


def _failed(errors: list[dict], bucket: LeakyBucket, requested: int = 0) -> dict:
    return {"errors": errors, "extensions": _cost(requested, None, bucket)}


def _cost(requested: int, actual: int | None, bucket: LeakyBucket) -> dict:
    return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                     "throttleStatus": bucket.status()}}


def _validation_code(error: GraphQLError) -> str:
    return "undefinedField" if error.message.startswith("Cannot query field") else "GRAPHQL_VALIDATION_FAILED"


def _format(error: GraphQLError, code: str | None = None) -> dict:
    formatted = dict(error.formatted)
    extensions = dict(formatted.get("extensions") or {})
    if code:
        extensions["code"] = code
    elif "code" not in extensions:
        crashed = error.original_error is not None and not isinstance(error.original_error, GraphQLError)
        extensions["code"] = "INTERNAL_SERVER_ERROR" if crashed else "GRAPHQL_EXECUTION_ERROR"
    formatted["extensions"] = extensions
    if not formatted.get("path"):
        formatted.pop("path", None)
    return formatted
