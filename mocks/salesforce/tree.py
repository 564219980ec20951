"""sObject trees (``/composite/tree/{object}``): records and their children, made at once.

A tree names each record's type and a ``referenceId`` in its ``attributes``; a child
relationship of the parent (``Contacts`` of an Account, ``Tasks`` of a Contact ...) holds
``{"records": [...]}`` of children, which get the parent's new ID in the relationship's
field. Up to 200 records in all, five levels deep. All or nothing: every record goes
through the ordinary write path, level by level, and when any is refused nothing is kept
and the answer lists the refused ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mocks.salesforce import crud, metadata
from mocks.salesforce.crud import Writer
from mocks.salesforce.metadata import SObject
from mocks.salesforce.refusals import SalesforceError

MAX_RECORDS = 200
MAX_DEPTH = 5


@dataclass
class Node:
    obj: SObject
    reference: str
    values: dict
    parent: Node | None = None
    parent_field: str | None = None
    children: list[Node] = field(default_factory=list)
    id: str | None = None


class TreeRefused(Exception):
    """Some records were refused: ``results`` says which and why (nothing was kept)."""

    def __init__(self, results: list[dict]) -> None:
        super().__init__("tree refused")
        self.results = results


def _relationship(parent: SObject, name: str) -> tuple[SObject, str] | None:
    for rel in metadata.child_relationships(parent.name):
        if rel["relationshipName"] and rel["relationshipName"].lower() == name.lower():
            return metadata.objects()[rel["childSObject"]], rel["field"]
    return None


def parse(root: SObject, body) -> list[Node]:
    """The tree of a request body, or the refusal of the whole request."""
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise SalesforceError("JSON_PARSER_ERROR", "Expected a JSON object with a 'records' "
                                                   "list")
    seen: set[str] = set()
    count = 0

    def nodes(items, obj: SObject, depth: int, parent: Node | None,
              parent_field: str | None) -> list[Node]:
        nonlocal count
        if depth > MAX_DEPTH:
            raise SalesforceError("INVALID_INPUT", f"The tree is more than {MAX_DEPTH} "
                                                   "levels deep")
        out = []
        for item in items:
            count += 1
            if count > MAX_RECORDS:
                raise SalesforceError("LIMIT_EXCEEDED", "Exceeded max limit of "
                                                        f"{MAX_RECORDS} records per request")
            if not isinstance(item, dict):
                raise SalesforceError("JSON_PARSER_ERROR", "Each record must be a JSON object")
            attributes = item.get("attributes")
            if not isinstance(attributes, dict) or not attributes.get("referenceId"):
                raise SalesforceError("INVALID_INPUT", "Include a reference ID for each "
                                                       "record in the request.")
            reference = str(attributes["referenceId"])
            kind = attributes.get("type")
            if not kind or str(kind).lower() != obj.name.lower():
                raise SalesforceError("INVALID_TYPE", f"The type of record {reference} must "
                                                      f"be {obj.name}")
            if reference.lower() in seen:
                raise SalesforceError("INVALID_INPUT", f"Duplicate ReferenceId provided in "
                                                       f"the request: {reference}")
            seen.add(reference.lower())
            node = Node(obj, reference, {}, parent, parent_field)
            for key, value in item.items():
                if key == "attributes":
                    continue
                child = _relationship(obj, key) if obj.field(key) is None else None
                if child is not None:
                    if not isinstance(value, dict) or not isinstance(value.get("records"),
                                                                     list):
                        raise SalesforceError("JSON_PARSER_ERROR",
                                              f"{key} must hold {{\"records\": [...]}}")
                    node.children += nodes(value["records"], child[0], depth + 1, node,
                                           child[1])
                else:
                    node.values[key] = value
            out.append(node)
        return out

    return nodes(body["records"], root, 1, None, None)


def insert(w: Writer, roots: list[Node]) -> list[dict]:
    """Create every record, level by level; ``[{"referenceId", "id"}]`` in that order.
    Raises :class:`TreeRefused` (the caller rolls the transaction back)."""
    done: list[dict] = []
    refused: list[dict] = []
    level = roots
    while level:
        following: list[Node] = []
        for node in level:
            if node.parent is not None and node.parent.id is None:
                continue  # its parent was refused: the tree is refused already
            values = dict(node.values)
            if node.parent_field:
                values[node.parent_field] = node.parent.id
            try:
                node.id = crud.create(w, node.obj, values)
            except SalesforceError as exc:
                refused.append({"referenceId": node.reference,
                                "errors": [exc.to_dict("statusCode")]})
                continue
            done.append({"referenceId": node.reference, "id": node.id})
            following += node.children
        level = following
    if refused:
        raise TreeRefused(refused)
    return done
