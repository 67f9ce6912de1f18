"""Query cost and the per-shop leaky bucket, computed the way Shopify documents them: scalars and
enums cost 0, objects 1, a connection 2 plus `first` (or `last`) times the cost of one node, a
mutation 10. The bucket must hold the requested cost; the difference to the actual cost (measured
on the response) is refunded. A single query may not request more than 1000 points."""

from __future__ import annotations

import threading

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    get_named_type,
    is_leaf_type,
    value_from_ast_untyped,
)

MUTATION_COST = 10
MAX_QUERY_COST = 1000


class CostCalculator:
    def __init__(self, schema: GraphQLSchema, document, variables: dict):
        self.schema = schema
        self.variables = variables
        self.fragments = {d.name.value: d for d in document.definitions if d.kind == "fragment_definition"}

    def requested(self, operation: OperationDefinitionNode) -> int:
        if operation.operation.value == "mutation":
            return MUTATION_COST * len(operation.selection_set.selections)
        return self._selection(self.schema.query_type.name, operation.selection_set, None)

    def actual(self, operation: OperationDefinitionNode, data: dict | None) -> int:
        if operation.operation.value == "mutation":
            return MUTATION_COST * len(operation.selection_set.selections)
        return self._selection(self.schema.query_type.name, operation.selection_set, data or {})

    def _fields(self, type_name, selection_set):
        """(parent type, field node) pairs, with fragments flattened."""
        for selection in selection_set.selections if selection_set else []:
            if isinstance(selection, FieldNode):
                yield type_name, selection
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else type_name
                yield from self._fields(condition, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment:
                    yield from self._fields(fragment.type_condition.name.value, fragment.selection_set)

    def _selection(self, type_name: str, selection_set, data) -> int:
        total = 0
        for parent, node in self._fields(type_name, selection_set):
            if node.name.value.startswith("__"):
                continue
            key = node.alias.value if node.alias else node.name.value
            value = data.get(key) if isinstance(data, dict) else None
            if data is not None and value is None:
                continue
            total += self._field(parent, node, value if data is not None else None, data is not None)
        return total

    def _field(self, parent: str, node: FieldNode, value, measured: bool) -> int:
        field_def = self.schema.get_type(parent).fields[node.name.value]
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            return 0
        if named.name.endswith("Connection"):
            return self._connection(named.name, node, value, measured)
        if _is_list(field_def.type):
            if measured:
                return sum(1 + self._selection(named.name, node.selection_set, item)
                           for item in value if item is not None)
            return self._list_size(node) * (1 + self._selection(named.name, node.selection_set, None))
        return 1 + self._selection(named.name, node.selection_set, value if measured else None)

    def _connection(self, type_name: str, node: FieldNode, value, measured: bool) -> int:
        node_type = type_name[: -len("Connection")]
        if measured:
            nodes = _connection_nodes(value, node, self)
            return 2 + sum(1 + self._node_cost(node_type, node, item) for item in nodes)
        size = self._argument(node, "first") or self._argument(node, "last") or 0
        return 2 + size * (1 + self._node_cost(node_type, node, None))

    def _node_cost(self, node_type: str, node: FieldNode, item) -> int:
        """Cost of one node's selection, whether asked for through `nodes` or `edges { node }`."""
        best = 0
        for _, inner in self._fields(node_type + "Connection", node.selection_set):
            if inner.name.value == "nodes":
                best = max(best, self._selection(node_type, inner.selection_set, item))
            elif inner.name.value == "edges":
                for _, edge_field in self._fields(node_type + "Edge", inner.selection_set):
                    if edge_field.name.value == "node":
                        best = max(best, self._selection(node_type, edge_field.selection_set, item))
        return best

    def _list_size(self, node: FieldNode) -> int:
        ids = self._argument(node, "ids")
        return len(ids) if isinstance(ids, list) else 1

    def _argument(self, node: FieldNode, name: str):
        for argument in node.arguments:
            if argument.name.value == name:
                return value_from_ast_untyped(argument.value, self.variables)
        return None


def _is_list(type_) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _connection_nodes(value, node: FieldNode, calc: CostCalculator) -> list:
    """The returned nodes of a connection, read from `nodes` or `edges` under any alias."""
    if not isinstance(value, dict):
        return []
    for _, inner in calc._fields("", node.selection_set):
        key = inner.alias.value if inner.alias else inner.name.value
        if inner.name.value == "nodes" and isinstance(value.get(key), list):
            return value[key]
        if inner.name.value == "edges" and isinstance(value.get(key), list):
            return [_edge_node(edge, inner, calc) for edge in value[key]]
    return []


def _edge_node(edge, edges_node: FieldNode, calc: CostCalculator):
    for _, inner in calc._fields("", edges_node.selection_set):
        if inner.name.value == "node":
            return (edge or {}).get(inner.alias.value if inner.alias else "node")
    return None


class LeakyBucket:
    """Points refill continuously at `restore_rate` per second up to `maximum`."""

    def __init__(self, clock, maximum: float = 2000, restore_rate: float = 100):
        self.clock = clock
        self.maximum = maximum
        self.restore_rate = restore_rate
        self._available = float(maximum)
        self._stamp = clock.now()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock.now()
        self._available = min(self.maximum, self._available + (now - self._stamp) * self.restore_rate)
        self._stamp = now

    def take(self, cost: int) -> bool:
        with self._lock:
            self._refill()
            if cost > self._available:
                return False
            self._available -= cost
            return True

    def refund(self, points: int) -> None:
        with self._lock:
            self._refill()
            self._available = min(self.maximum, self._available + max(0, points))

    def status(self) -> dict:
        with self._lock:
            self._refill()
            return {"maximumAvailable": float(self.maximum), "currentlyAvailable": int(self._available),
                    "restoreRate": float(self.restore_rate)}
