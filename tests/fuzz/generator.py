"""Bad requests, generated from a seed: the same seed gives the same requests.

The routes come from the mock's own URL map, so a blueprint added later is fuzzed with
no change here. Each request is one of a few kinds, mixed by weight:

- a body: a plausible payload for the route (records of the service's fields, Marketo's
  ``input`` lists, Salesforce's composite shapes), then mutated: odd values (huge
  numbers, lone surrogates, NUL, 5,000 characters, wrong types), odd structure (nested a
  thousand levels, a list where an object goes, too many records, truncated, bytes
  flipped, invalid UTF-8, ``NaN``), under any content type;
- parameters: the route's query parameters with odd values (SOQL made of random tokens);
- path values: IDs of the world, malformed IDs, names of objects that do not exist,
  percent-encoded garbage;
- framing: a ``Content-Length`` that is no number, huge, or longer than the body; chunked
  bodies, good and broken; a header line over a megabyte;
- headers: no token, a garbage token, odd ``Content-Type``, ``Sforce-Query-Options``,
  ``Host``, ``Expect``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from mocks.core.serving import MAX_HEAD_BYTES

ADMIN_SAFE_READS = ("/__admin__/state", "/__admin__/journal", "/__admin__/faults",
                    "/__admin__/clock", "/__admin__/limits", "/__admin__/health",
                    "/__admin__/exports", "/__admin__/salesforce-sync")
#: admin writes that would change the world on valid input: only sent broken
ADMIN_WRITES = ("/__admin__/leads", "/__admin__/activities", "/__admin__/leads/by-activity",
                "/__admin__/fields", "/__admin__/leads/convert", "/__admin__/sobjects/Lead",
                "/__admin__/faults", "/__admin__/clock", "/__admin__/limits",
                "/__admin__/exports", "/__admin__/seed")

ODD_TEXT = ["", " ", "x" * 5000, "\u0000", "Ωμέγα 漢字", "'; DROP TABLE leads; --", "%s%n",
            "..", "null", "true", "2026-13-45T99:99:99Z", "2026-01-01", "9999-12-31T23:59:59Z",
            "0001-01-01", "-1", "1e999", "00Q000000000000AAA", "\\", '"', "<a>", "\r\n"]
ODD_VALUES = [None, True, False, 0, -1, 2**63, 2**70, -2**70, 1.5, 1e308, -1e308, [], {},
              [1, "a", None], {"a": {"b": []}}, *ODD_TEXT]
SURROGATE = "\ud800"  # sent as the JSON escape \ud800 (json.dumps writes it so)

MARKETO_FIELDS = ["email", "firstName", "lastName", "company", "title", "phone", "leadSource",
                  "unsubscribed", "leadScore", "annualRevenue", "dateOfBirth", "id",
                  "sfdcLeadId", "cookies", "createdAt", "nope", "linkedInProfileURL"]
MARKETO_PARAMS = ["filterType", "filterValues", "fields", "batchSize", "nextPageToken",
                  "sinceDatetime", "leadIds", "activityTypeIds", "assetIds", "listId",
                  "status", "_method", "access_token", "format"]
SALESFORCE_FIELDS = ["LastName", "FirstName", "Company", "Email", "OwnerId", "WhoId", "WhatId",
                     "Subject", "Status", "Priority", "ActivityDate", "Description", "Name",
                     "AccountId", "StageName", "CloseDate", "HasOptedOutOfEmail", "Id",
                     "IsConverted", "TaskSubtype", "CallDurationInSeconds", "External_Id__c",
                     "SIA_Id__c", "ReminderDateTime", "Amount", "Nope__c", "attributes"]
SALESFORCE_PARAMS = ["q", "fields", "start", "end", "ids", "allOrNone", "updateOnly"]
SOBJECTS = ["Lead", "Contact", "Account", "Opportunity", "Task", "User", "Group", "Nope",
            "lead", "Name", "", "Lead.Email"]
SOQL = ["SELECT", "FROM", "WHERE", "Id", "Email", "Name", "Lead", "Task", "Contact",
        "Owner.Email", "Who.Name", "=", "!=", "<", "LIKE", "IN", "NOT", "(", ")", ",",
        "'x'", "'%'", "null", "true", "TODAY", "LAST_N_DAYS:3", "AND", "OR", "ORDER BY",
        "LIMIT", "5", "-1", "99999999999", "COUNT()", "2026-01-01T00:00:00Z", "TYPEOF",
        "WHEN", "THEN", "END", "OFFSET", "NULLS", "FIRST", "DESC", "FIELDS(ALL)", "GROUP BY",
        "'\\'", "'", "\u0000", "SELECT Id FROM Lead"]
CONTENT_TYPES = ["application/json", "application/json", "application/json",
                 "application/x-www-form-urlencoded", "text/plain", "multipart/form-data",
                 "application/json; charset=latin-1", "application/xml", "*/*", "",
                 "application/json;;;", "\u00e9/\u00e9"]
VERSIONS = ["59.0", "59.0", "59.0", "50.0", "49.0", "65.0", "66.0", "abc", "59", "5.9.0"]


@dataclass
class FuzzRequest:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    content_length: str | None = "auto"  # "auto", None (left out), or any text
    chunked: bytes | None = None  # the body, chunk-encoded (possibly broken), instead
    kind: str = "body"
    framing: bool = False  # malformed at the HTTP level: the server itself may refuse it

    def describe(self) -> str:
        body = (self.chunked if self.chunked is not None else self.body)[:300]
        return (f"{self.kind}: {self.method} {self.target[:300]} headers={str(self.headers)[:600]} "
                f"content_length={self.content_length!r} body={body!r}")


@dataclass
class Known:
    """What the world holds, so that some requests name things that exist."""

    ids: list[str]
    tokens: dict[str, str]  # "valid" -> a live token


class RequestFuzzer:
    def __init__(self, service: str, rules: list[tuple[str, tuple[str, ...]]], known: Known,
                 seed: int) -> None:
        self.service = service
        self.rng = random.Random(f"{service}:{seed}")
        self.known = known
        self.rules = [(rule, methods) for rule, methods in rules
                      if not rule.startswith(("/static", "/__admin__"))]
        self.admin = [(rule, methods) for rule, methods in rules
                      if rule in ADMIN_SAFE_READS or rule in ADMIN_WRITES]

    # --- one request ----------------------------------------------------------------------
    def next(self) -> FuzzRequest:
        rng = self.rng
        kind = rng.choices(["body", "params", "path", "framing", "headers", "admin"],
                           [40, 18, 12, 10, 12, 8])[0]
        if kind == "admin" and self.admin:
            rule, methods = rng.choice(self.admin)
        else:
            rule, methods = rng.choice(self.rules)
        method = rng.choice(sorted(methods)) if rng.random() < 0.9 else rng.choice(
            ["GET", "POST", "PATCH", "PUT", "DELETE", "OPTIONS", "HEAD", "TRACE", "FOO"])
        path = self._path(rule, odd=kind == "path")
        query = self._query(rule, odd=kind == "params")
        request = FuzzRequest(method, path + (f"?{query}" if query else ""), kind=kind)
        request.headers = self._headers(odd=kind == "headers")
        if kind == "admin":
            request.headers["X-Siasim-Admin"] = "1"
            if rule in ADMIN_SAFE_READS:  # a valid write there would change the world
                request.method = "GET"
                return request
            if rule in ADMIN_WRITES and method != "GET":
                request.body = self._broken_admin_body()
                request.headers["Content-Type"] = "application/json"
                return request
        if method in ("POST", "PATCH", "PUT", "DELETE") or rng.random() < 0.1:
            request.body = self._body(rule, odd=kind in ("body", "admin"))
            request.headers.setdefault("Content-Type", self._content_type(request.body))
        if kind == "framing":
            self._frame(request)
        return request

    # --- parts ----------------------------------------------------------------------------
    def _path(self, rule: str, odd: bool) -> str:
        def value(match: re.Match) -> str:
            converter, arguments, name = match.group(1), match.group(2), match.group(3)
            if converter == "any" and arguments and not (odd and self.rng.random() < 0.3):
                return self.rng.choice([a.strip(" '\"") for a in arguments.split(",")])
            return quote(self._path_value(name, converter, odd), safe="/" if converter ==
                         "path" else "")

        return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", value, rule)

    def _path_value(self, name: str, converter: str | None, odd: bool) -> str:
        rng = self.rng
        if odd and rng.random() < 0.6:
            return rng.choice(["", "%00", "..", "x" * 3000, "\u00e9", "\u0000", "-1",
                               "99999999999999999999", "a/b", "%ED%A0%80", " ", "null",
                               "00Q" + "x" * 15, "😀"]) if converter != "int" else str(
                rng.choice([0, -1, 2**70, 1]))
        if converter == "int":
            return str(rng.choice([1, 2, 5, 26, 999999, 0]))
        if name == "version":
            return rng.choice(VERSIONS)
        if name == "name":
            return rng.choice(SOBJECTS)
        if name in ("record_id", "value", "org_id", "user_id", "export_id", "locator"):
            if self.known.ids and rng.random() < 0.6:
                return rng.choice(self.known.ids)
            return rng.choice(["01gXX-2000", "00Q5cn000000001", "x", "1", "00T000000000000"])
        if name == "field":
            return rng.choice(["External_Id__c", "Id", "Email", "SIA_Id__c", "Nope",
                               "LastName", "id"])
        return rng.choice(ODD_TEXT)

    def _query(self, rule: str, odd: bool) -> str:
        rng = self.rng
        if not odd and rng.random() < 0.6:
            return ""
        names = MARKETO_PARAMS if self.service == "marketo" else SALESFORCE_PARAMS
        pairs = []
        for _ in range(rng.randint(1, 5)):
            name = rng.choice([*names, "where.Id", "table", "limit", "after", "order",
                               "since", "x" * 100])
            if name == "q":
                text = " ".join(rng.choice(SOQL) for _ in range(rng.randint(0, 16)))
            else:
                text = str(rng.choice(ODD_VALUES)) if rng.random() < 0.7 else ",".join(
                    str(rng.choice(ODD_VALUES)) for _ in range(rng.randint(0, 400)))
            pairs.append((name, text))
        return urlencode(pairs)

    def _headers(self, odd: bool) -> dict[str, str]:
        rng = self.rng
        headers = {}
        token = self.known.tokens.get("valid")
        roll = rng.random()
        if token and roll < (0.5 if odd else 0.85):
            headers["Authorization"] = f"Bearer {token}"
        elif roll < 0.92:
            headers["Authorization"] = rng.choice(["Bearer", "Bearer x", "Basic Og==",
                                                   "OAuth " + "z" * 500, "Bearer \u00e9"])
        if odd:
            for _ in range(rng.randint(1, 3)):
                name, value = rng.choice([
                    ("Content-Type", rng.choice(CONTENT_TYPES)),
                    ("Sforce-Query-Options", rng.choice(["batchSize=1", "batchSize=-5",
                                                         "batchSize=x", "batchSize=9" * 30])),
                    ("Accept", "application/xml"), ("Expect", "100-continue"),
                    ("X-SFDC-Session", "s" * 40), ("Accept-Encoding", "gzip, br"),
                    ("Host", rng.choice(["evil.example", "", "127.0.0.1:1", "[::1"])),
                    ("Connection", "keep-alive, Upgrade"), ("X-" + "a" * 200, "b" * 2000)])
                headers[name] = value
        return headers

    def _content_type(self, body: bytes) -> str:
        rng = self.rng
        if rng.random() < 0.8:
            return "application/json"
        return rng.choice(CONTENT_TYPES)

    def _frame(self, request: FuzzRequest) -> None:
        rng = self.rng
        request.framing = True
        body = request.body or b'{"input": []}'
        choice = rng.choice(["bad-length", "huge-length", "long-length", "chunked",
                             "bad-chunked", "length-and-chunked", "huge-head"])
        if choice == "huge-head":  # a header line beyond what the server reads of a head
            request.headers["X-Pad"] = "a" * (MAX_HEAD_BYTES + rng.randint(1, 1000))
        elif choice == "bad-length":
            request.content_length = rng.choice(["-1", "+5", "5x", " ", "0x10", "1e3", "-0"])
        elif choice == "huge-length":
            request.content_length = rng.choice(["99999999999", "9" * 30, "52428801",
                                                 "1048577"])
        elif choice == "long-length":  # announces more than it sends, then stops sending
            request.content_length = str(len(body) + rng.randint(1, 100))
        elif choice == "chunked":
            pieces = [body[i:i + 7] for i in range(0, len(body), 7)]
            request.chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + \
                b"0\r\n\r\n"
            request.content_length = None
        else:
            request.chunked = rng.choice([b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n",
                                          b"2\r\n{}XX0\r\n\r\n", b"-1\r\n{}\r\n0\r\n\r\n",
                                          b"ffffffffffffff\r\n{}\r\n", b"2;ext=\x00\r\n{}\r\n"])
            request.content_length = None if choice == "bad-chunked" else "2"
        request.body = body

    # --- bodies ---------------------------------------------------------------------------
    def _value(self) -> object:
        rng = self.rng
        roll = rng.random()
        if roll < 0.05:
            return SURROGATE + "x"
        if roll < 0.1:
            return self._nested(rng.randint(50, 150))
        if roll < 0.3 and self.known.ids:
            return rng.choice(self.known.ids)
        return rng.choice(ODD_VALUES)

    def _nested(self, depth: int) -> object:
        value: object = "deep"
        for _ in range(depth):
            value = [value] if self.rng.random() < 0.5 else {"a": value}
        return value

    def _record(self, fields: list[str]) -> dict:
        rng = self.rng
        record = {rng.choice(fields): self._value() for _ in range(rng.randint(0, 6))}
        if self.service == "salesforce" and rng.random() < 0.7:
            record["attributes"] = {"type": rng.choice(SOBJECTS), "referenceId": "ref1"} \
                if rng.random() < 0.9 else rng.choice(ODD_VALUES)
        return record

    def _payload(self, rule: str) -> object:
        rng = self.rng
        if self.service == "marketo":
            if "external" in rule or "activities" in rule:
                items = [{"leadId": rng.choice([1, 2, 5, 0, -1, "x", None, 2**70]),
                          "activityTypeId": rng.choice([39, 100002, 1, "x", None]),
                          "activityDate": rng.choice(["2026-01-01T00:00:00Z", *ODD_TEXT]),
                          "primaryAttributeValue": self._value(),
                          "attributes": rng.choice([[{"name": "Sent By", "value":
                                                      self._value()}], self._value()])}
                         for _ in range(rng.choice([0, 1, 2, 301]))]
                return {"input": items}
            if "export" in rule:
                return {"fields": rng.choice([["email", "id"], [], ["nope"], self._value()]),
                        "format": rng.choice(["CSV", "TSV", "XML", self._value()]),
                        "filter": rng.choice([{"createdAt": {"startAt": "2026-01-01T00:00:00Z",
                                                             "endAt": self._value()}},
                                              {"staticListId": self._value()}, self._value()])}
            return {"action": rng.choice(["createOrUpdate", "createOnly", "updateOnly",
                                          "createDuplicate", "nope", None]),
                    "lookupField": rng.choice(["email", "id", "nope", None, 5]),
                    "input": [self._record(MARKETO_FIELDS)
                              for _ in range(rng.choice([0, 1, 3, 301]))],
                    "ids": [self._value() for _ in range(rng.randint(0, 3))]}
        if "composite/tree" in rule or rule.endswith("/composite/sobjects"):
            return {"allOrNone": rng.choice([True, False, "yes", None]),
                    "records": [self._record(SALESFORCE_FIELDS)
                                for _ in range(rng.choice([0, 1, 2, 201]))]}
        if rule.endswith("/composite"):
            return {"allOrNone": rng.choice([True, False]), "compositeRequest": [
                {"method": rng.choice(["GET", "POST", "PATCH", "DELETE", "X"]),
                 "url": rng.choice(["/services/data/v59.0/sobjects/Lead",
                                    "/services/data/v59.0/query?q=SELECT+Id+FROM+Lead",
                                    "@{ref1.id}", "/nowhere", self._value()]),
                 "referenceId": rng.choice(["ref1", "ref2", "", None]),
                 "body": self._record(SALESFORCE_FIELDS)} for _ in range(rng.randint(0, 4))]}
        if rule.endswith("/composite/batch"):
            return {"batchRequests": [{"method": rng.choice(["GET", "PATCH", "POST"]),
                                       "url": rng.choice(["v59.0/sobjects/Lead", "x",
                                                          self._value()]),
                                       "richInput": self._record(SALESFORCE_FIELDS)}
                                      for _ in range(rng.randint(0, 3))],
                    "haltOnError": rng.choice([True, False, "x"])}
        if "Soap" in rule:
            return None  # an XML body, made below
        return self._record(SALESFORCE_FIELDS)

    def _body(self, rule: str, odd: bool) -> bytes:
        rng = self.rng
        payload = self._payload(rule)
        if payload is None:
            text = rng.choice(["<x/>", "<?xml version='1.0'?><Envelope><Body><login>"
                               "<username>a</username><password>&#xD800;</password>"
                               "</login></Body></Envelope>", "<a>" * 500, "not xml"])
            return text.encode()
        if odd and rng.random() < 0.3:
            payload = rng.choice([payload, [payload], self._value(), "DEEP",
                                  {"records": payload}])
        raw = json.dumps(payload).encode()
        if payload == "DEEP":  # too deep for json.dumps to write: written by hand
            depth = rng.choice([200, 1000, 5000])
            raw = b'{"input": ' + b"[" * depth + b"1" + b"]" * depth + b"}"
        if odd and rng.random() < 0.35:
            raw = self._mangle(raw)
        return raw

    def _mangle(self, raw: bytes) -> bytes:
        rng = self.rng
        choice = rng.randrange(7)
        if choice == 0:
            return raw[:rng.randint(0, max(len(raw) - 1, 0))]
        if choice == 1:
            data = bytearray(raw)
            for _ in range(rng.randint(1, 5)):
                if data:
                    data[rng.randrange(len(data))] = rng.randrange(256)
            return bytes(data)
        if choice == 2:
            return b"\xef\xbb\xbf" + raw
        if choice == 3:
            return raw.replace(b"null", b"NaN", 1).replace(b"0", b"Infinity", 1)
        if choice == 4:
            return b"\xff\xfe" + raw[:50]
        if choice == 5:
            return raw.replace(b'"', b"'")
        return raw + b"garbage"

    def _broken_admin_body(self) -> bytes:
        rng = self.rng
        return rng.choice([b"{", b"[]", b"null", b'"x"', b'{"advance": -1}',
                           b'{"advance": 1e300}', b'{"set": "9999-12-31T23:59:58Z"}',
                           b'{"set": "0001-01-01"}', b'{"advance": NaN}',
                           b'{"status": 99}', b'{"latencyMs": -1}', b'{"error": ""}',
                           b'{"rate_calls": -1}', b'{"rate_window": "x"}', b"\xff",
                           b'{"input": 5}', b'{"leadId": []}', b'{"name": ""}',
                           b'{"startDelay": -5}', b'{"startDelay": 1e308}',
                           b'{"input": [' + b"[" * 900 + b"]" * 900 + b"]}",
                           b'{"scenario": "\\ud800"}', b'{"seed": "x", "profile": 5}'])
