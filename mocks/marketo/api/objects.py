"""Companies, sales persons, opportunities and their roles, named accounts and named
account lists: one set of routes per object, made by :func:`object_routes` over the one
shape of :class:`mocks.marketo.objects.ObjectStore`."""

from __future__ import annotations

from flask import Blueprint, request

from mocks.marketo.api.lists import paged
from mocks.marketo.envelope import ApiError, success
from mocks.marketo.objects import KINDS, ObjectKind
from mocks.marketo.params import (
    batch_size,
    body_names,
    body_text,
    get_only,
    input_records,
    json_body,
    list_param,
    method_override,
    model,
    params,
    required,
)

bp = Blueprint("marketo_objects", __name__)


def query_records(kind: ObjectKind):
    store = model().objects
    if request.method == "POST" and request.mimetype == "application/json":
        body = json_body()  # compound keys: a JSON body read as a GET (_method=GET)
        filter_type = body_text(body, "filterType") or required("filterType")
        fields = body_names(body, "fields") or list_param("fields")
        items, token = store.query(kind, filter_type, input_records(body), fields,
                                   batch_size(raw=body.get("batchSize")),
                                   body_text(body, "nextPageToken"))
    else:
        items, token = store.query(kind, required("filterType"), list_param("filterValues"),
                                   list_param("fields"), batch_size(),
                                   params().get("nextPageToken"))
    return paged(items, token, as_json=True)


def object_routes(kind: ObjectKind, base: str, describe: bool = True) -> None:
    name = kind.name

    def records():
        if request.method == "GET" or method_override():
            return query_records(kind)
        body = json_body()
        action = body.get("action") or ("createOrUpdate" if "createOrUpdate" in kind.actions
                                         else None)
        if action is None:  # named account lists have no default action
            raise ApiError("701", f"action cannot be blank: one of {', '.join(kind.actions)}")
        return success(model().objects.sync(kind, action,
                                            body.get("dedupeBy") or "dedupeFields",
                                            input_records(body)))

    def delete():
        body = json_body()
        return success(model().objects.delete(kind, body.get("deleteBy") or "dedupeFields",
                                              input_records(body)))

    def describe_view():
        get_only()
        return success([kind.describe()])

    bp.add_url_rule(f"{base}.json", f"{name}_records", records, methods=["GET", "POST"])
    bp.add_url_rule(f"{base}/delete.json", f"{name}_delete", delete, methods=["POST"])
    if describe:
        bp.add_url_rule(f"{base}/describe.json", f"{name}_describe", describe_view,
                        methods=["GET", "POST"])


object_routes(KINDS["company"], "/rest/v1/companies")
object_routes(KINDS["salesPerson"], "/rest/v1/salespersons")
object_routes(KINDS["opportunity"], "/rest/v1/opportunities")
object_routes(KINDS["opportunityRole"], "/rest/v1/opportunities/roles")
object_routes(KINDS["namedAccount"], "/rest/v1/namedaccounts")
object_routes(KINDS["namedAccountList"], "/rest/v1/namedAccountLists", describe=False)


@bp.route("/rest/v1/namedAccountList/<list_id>/namedAccounts.json", methods=["GET", "POST"])
def named_account_list_members(list_id: str):
    if request.method == "POST" and not method_override():
        return success(model().objects.change_list(list_id, input_records(json_body()), add=True))
    items, token = model().objects.list_members(list_id, list_param("fields"), batch_size(),
                                                params().get("nextPageToken"))
    return paged(items, token, as_json=True)


@bp.post("/rest/v1/namedAccountList/<list_id>/namedAccounts/remove.json")
def remove_named_accounts(list_id: str):
    return success(model().objects.change_list(list_id, input_records(json_body()), add=False))
