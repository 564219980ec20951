"""A refusal, as Salesforce words it: the error every module of the backend raises.

No Flask here: the blueprints turn a :class:`SalesforceError` into Salesforce's JSON list
(``errors.error_response``), the Bulk API into its XML or JSON error, a batch into a
per-record result.
"""

from __future__ import annotations


class SalesforceError(Exception):
    """``[{"message", "errorCode", "fields"}]`` with the HTTP status it is answered with."""

    def __init__(self, code: str, message: str, fields: list[str] | None = None,
                 status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.fields = fields
        self.status = status

    def to_dict(self, key: str = "errorCode") -> dict:
        item: dict = {"message": self.message, key: self.code}
        if self.fields is not None or key == "statusCode":
            item["fields"] = self.fields or []
        return item


def not_found() -> SalesforceError:
    return SalesforceError("NOT_FOUND", "The requested resource does not exist", status=404)


def entity_deleted() -> SalesforceError:
    return SalesforceError("ENTITY_IS_DELETED", "entity is deleted", [], status=404)


def invalid_field(name: str, sobject: str) -> SalesforceError:
    """An unknown field named in a read (``?fields=``, a bulk header)."""
    return SalesforceError(
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a "
        "custom field, be sure to append the '__c' after the custom field name. Please "
        "reference your WSDL or the describe call for the appropriate names.")
