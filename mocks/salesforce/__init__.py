"""A faithful mock of Salesforce's REST API (``create_app``)."""

from __future__ import annotations

from flask import Flask

from mocks.core.app import create_mock_app
from mocks.salesforce.config import SalesforceConfig
from mocks.salesforce.service import SalesforceService


def create_app(config: SalesforceConfig | None = None) -> Flask:
    return create_mock_app("salesforce", config or SalesforceConfig(), SalesforceService)


__all__ = ["SalesforceConfig", "create_app"]
