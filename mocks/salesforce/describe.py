"""Describing the org: versions, resources, describe global and per object, limits.

- ``GET /services/data/`` lists the API versions (no session needed);
- ``GET /services/data/vXX.X/`` the resources of a version;
- ``GET .../sobjects/`` describe global; ``.../sobjects/X/`` an object's basic information;
  ``.../sobjects/X/describe/`` its full describe (fields, types, picklists, references);
- ``GET .../limits/`` the org's limits, the daily API requests among them.
"""

from __future__ import annotations

from flask import Blueprint

from mocks.core.service import current_mock
from mocks.salesforce import metadata, rest
from mocks.salesforce.config import salesforce_limits


def versions_blueprint() -> Blueprint:
    bp = Blueprint("sf_versions", __name__)

    @bp.get("/services/data")
    def list_versions():
        return rest.sf_json(rest.versions())

    return bp


def daily_limit() -> int:
    """The daily API allowance reported to clients (the default when limits are off)."""
    daily = current_mock().limits.settings.daily
    return int(daily) if daily is not None else int(salesforce_limits().daily or 0)


def limit_info() -> str:
    used = current_mock().limits.usage()["callsToday"]
    return f"api-usage={used}/{daily_limit()}"


def describe_blueprint() -> Blueprint:
    bp = rest.data_blueprint("sf_describe")

    @bp.get("")
    def resources():
        base = f"/services/data/v{rest.version()}"
        names = ("tooling", "metadata", "eclair", "folders", "prechatForms", "chatter", "tabs",
                 "appMenu", "quickActions", "queryAll", "commerce", "wave", "iot", "analytics",
                 "search", "identity", "composite", "parameterizedSearch", "fingerprint",
                 "theme", "nouns", "event", "serviceTemplates", "recent", "connect",
                 "licensing", "limits", "process", "async-queries", "query", "match",
                 "emailConnect", "compactLayouts", "knowledgeManagement", "sobjects",
                 "actions", "support")
        out = {name: f"{base}/{name}" for name in names}
        out["identity"] = f"{rest.base_url()}/id/{rest.org().org_id}/{rest.user_id()}"
        return rest.sf_json(out)

    @bp.get("/sobjects")
    def describe_global():
        version = rest.version()
        return rest.sf_json({
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [o.summary(version) for o in metadata.objects().values()],
        })

    @bp.get("/sobjects/<name>")
    def basic_info(name: str):
        obj = rest.org().sobject(name)
        return rest.sf_json({"objectDescribe": obj.summary(rest.version()), "recentItems": []})

    @bp.get("/sobjects/<name>/describe")
    def describe(name: str):
        obj = rest.org().sobject(name)
        return rest.sf_json(obj.describe(rest.version()))

    @bp.get("/limits")
    def limits():
        usage = current_mock().limits.usage()
        daily = daily_limit()
        settings = usage["settings"]
        concurrency = settings.get("concurrency") or 25

        def pair(limit: int, used: int = 0) -> dict:
            return {"Max": limit, "Remaining": max(limit - used, 0)}

        return rest.sf_json({
            "ConcurrentAsyncGetReportInstances": pair(200),
            "ConcurrentSyncReportRuns": pair(20),
            "DailyApiRequests": pair(daily, usage["callsToday"]),
            "DailyAsyncApexExecutions": pair(250000),
            **{name: pair(limit, used) for name, (limit, used) in rest.org().bulk.usage()
               .items()},
            "DailyGenericStreamingApiEvents": pair(10000),
            "DailyStreamingApiEvents": pair(10000),
            "DataStorageMB": pair(5),
            "FileStorageMB": pair(20),
            "HourlyDashboardRefreshes": pair(200),
            "HourlyODataCallout": pair(10000),
            "HourlySyncReportRuns": pair(500),
            "HourlyTimeBasedWorkflow": pair(50),
            "MassEmail": pair(10),
            "SingleEmail": pair(15),
            "ConcurrentLongRunningApiRequests": pair(int(concurrency), usage["active"]),
        })

    return bp
