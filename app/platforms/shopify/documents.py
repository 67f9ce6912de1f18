"""GraphQL documents: loading the `.graphql` files and composing several into one request.

The sync sends one request per order, whatever mix of tags, metafields and holds it needs. Each
document stays a plain, schema-validated file with one operation; `compose` merges several of them
into a single operation by aliasing their root fields and prefixing their variables, and
`split_result` hands each part its payload back under the names its own document uses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import GraphQLError, parse, print_ast, visit
from graphql.language import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
    Visitor,
)

from app.platforms.shopify.errors import DocumentError

_NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]*$")

Part = tuple[str, "Document", Mapping[str, Any]]


@dataclass(frozen=True)
class Document:
    """One operation as written in its file; `name` is the file stem the code refers to."""

    name: str
    text: str
    operation_type: str
    operation_name: str | None
    ast: DocumentNode

    @property
    def operation(self) -> OperationDefinitionNode:
        return next(d for d in self.ast.definitions if isinstance(d, OperationDefinitionNode))

    @property
    def fragments(self) -> list[FragmentDefinitionNode]:
        return [d for d in self.ast.definitions if isinstance(d, FragmentDefinitionNode)]


def parse_document(name: str, text: str, *, source: str | None = None) -> Document:
    """Parse one document; it must hold exactly one operation (fragments may accompany it).

    `source` (the file name, when there is one) is what error messages point at.
    """
    where = source or name
    try:
        tree = parse(text)
    except GraphQLError as exc:
        raise DocumentError(f"{where}: cannot parse: {exc.message}", document=where) from exc
    operations = [d for d in tree.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1:
        raise DocumentError(
            f"{where}: expected exactly one operation, found {len(operations)}", document=where
        )
    operation = operations[0]
    return Document(
        name=name,
        text=text,
        operation_type=operation.operation.value,
        operation_name=operation.name.value if operation.name else None,
        ast=tree,
    )


def load_documents(folder: Path) -> dict[str, Document]:
    """Every `*.graphql` file of `folder`, keyed by file stem; a bad file fails the whole load."""
    documents: dict[str, Document] = {}
    for path in sorted(Path(folder).glob("*.graphql")):
        text = path.read_text(encoding="utf-8")
        documents[path.stem] = parse_document(path.stem, text, source=path.name)
    return documents


def root_aliases(parts: Sequence[Part]) -> dict[str, tuple[str, str]]:
    """Composed alias -> (part prefix, the response key the part's own document uses).

    The alias of the i-th root field of a part is `{prefix}_{i}`; this is the one place that rule
    lives, shared by `compose` and `split_result`.
    """
    aliases: dict[str, tuple[str, str]] = {}
    for prefix, document, _variables in parts:
        for index, field in enumerate(_root_fields(document)):
            alias = f"{prefix}_{index}"
            if alias in aliases:
                raise DocumentError(f"root alias {alias} is used twice", alias=alias)
            aliases[alias] = (prefix, _response_key(field))
    return aliases


def compose(parts: Sequence[Part], *, operation_name: str = "Batch") -> tuple[str, dict]:
    """Merge several operations of one type into one document; returns (text, variables)."""
    if not parts:
        raise DocumentError("nothing to compose")
    operation_type = _common_operation_type(parts)
    _check_prefixes(parts)
    root_aliases(parts)
    selections: list[FieldNode] = []
    definitions: list = []
    variables: dict[str, Any] = {}
    for prefix, document, values in parts:
        operation = _renamed_operation(document, prefix)
        definitions.extend(operation.variable_definitions or ())
        selections.extend(_aliased_roots(operation, prefix))
        variables.update(_renamed_variables(document, prefix, values))
    _check_unique(d.variable.name.value for d in definitions)
    merged = OperationDefinitionNode(
        operation=OperationType(operation_type),
        name=NameNode(value=operation_name),
        variable_definitions=tuple(definitions),
        directives=(),
        selection_set=SelectionSetNode(selections=tuple(selections)),
    )
    tree = DocumentNode(definitions=(merged, *_merged_fragments(parts)))
    return print_ast(tree), variables


def split_result(data: Mapping[str, Any] | None, parts: Sequence[Part]) -> dict[str, dict]:
    """Each part's payload, keyed by its prefix, under its own document's root field names.

    A root field missing from `data` (a partial or failed response) comes back as None.
    """
    payloads: dict[str, dict] = {prefix: {} for prefix, _document, _variables in parts}
    for alias, (prefix, key) in root_aliases(parts).items():
        payloads[prefix][key] = (data or {}).get(alias)
    return payloads


def _root_fields(document: Document) -> list[FieldNode]:
    selections = document.operation.selection_set.selections
    if not all(isinstance(s, FieldNode) for s in selections):
        raise DocumentError(
            f"{document.name}: root selections must be plain fields to be composed",
            document=document.name,
        )
    return list(selections)


def _response_key(field: FieldNode) -> str:
    return field.alias.value if field.alias else field.name.value


def _common_operation_type(parts: Sequence[Part]) -> str:
    kinds = {document.operation_type for _prefix, document, _variables in parts}
    if len(kinds) != 1:
        raise DocumentError(f"cannot compose different operation types: {sorted(kinds)}")
    kind = kinds.pop()
    if kind == "subscription":
        raise DocumentError("subscriptions cannot be composed")
    return kind


def _check_prefixes(parts: Sequence[Part]) -> None:
    prefixes = [prefix for prefix, _document, _variables in parts]
    for prefix in prefixes:
        if not _NAME.match(prefix) or prefix.startswith("__"):
            raise DocumentError(f"invalid alias prefix {prefix!r}", prefix=prefix)
    _check_unique(prefixes)
    for _prefix, document, _variables in parts:
        if document.operation.directives:
            raise DocumentError(
                f"{document.name}: operation directives cannot be composed",
                document=document.name,
            )


def _check_unique(names) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise DocumentError(f"name {name} is used twice in the composed document", name=name)
        seen.add(name)


class _RenameVariables(Visitor):
    """Prefixes every variable of one operation (definitions and uses alike)."""

    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def enter_variable(self, node: VariableNode, *_args: Any) -> VariableNode:
        renamed = copy(node)
        renamed.name = NameNode(value=f"{self.prefix}_{node.name.value}")
        return renamed


def _renamed_operation(document: Document, prefix: str) -> OperationDefinitionNode:
    return visit(document.operation, _RenameVariables(prefix))


def _aliased_roots(operation: OperationDefinitionNode, prefix: str) -> list[FieldNode]:
    aliased = []
    for index, field in enumerate(operation.selection_set.selections):
        field = copy(field)
        field.alias = NameNode(value=f"{prefix}_{index}")
        aliased.append(field)
    return aliased


def _renamed_variables(
    document: Document, prefix: str, values: Mapping[str, Any]
) -> dict[str, Any]:
    declared = {d.variable.name.value for d in document.operation.variable_definitions or ()}
    unknown = sorted(set(values) - declared)
    if unknown:
        raise DocumentError(
            f"{document.name}: variables not declared by the operation: {unknown}",
            document=document.name,
        )
    return {f"{prefix}_{name}": value for name, value in values.items()}


def _merged_fragments(parts: Sequence[Part]) -> list[FragmentDefinitionNode]:
    """Fragments of all parts, once each; the same name must mean the same fragment."""
    fragments: dict[str, tuple[str, FragmentDefinitionNode]] = {}
    for _prefix, document, _variables in parts:
        for fragment in document.fragments:
            name, text = fragment.name.value, print_ast(fragment)
            if _uses_variables(fragment):
                raise DocumentError(
                    f"{document.name}: fragment {name} uses variables and cannot be shared",
                    document=document.name,
                )
            if name in fragments and fragments[name][0] != text:
                raise DocumentError(f"fragment {name} is defined differently in two parts")
            fragments.setdefault(name, (text, fragment))
    return [fragment for _text, fragment in fragments.values()]


class _FindVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_variable(self, *_args: Any) -> None:
        self.found = True


def _uses_variables(fragment: FragmentDefinitionNode) -> bool:
    finder = _FindVariables()
    visit(fragment, finder)
    return finder.found
