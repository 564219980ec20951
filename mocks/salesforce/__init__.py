"""A faithful mock of Salesforce's REST API (``create_app``).

The shared core (``mocks.core``) brings the request pipeline and the admin API; this
package adds the API areas, one blueprint each: logins (``oauth``), records
(``sobjects``), SOQL (``query``), several calls in one (``composite``), the Bulk APIs
(``bulk``), describe and limits (``describe``), and the admin
operations only Salesforce has (``admin``: lead conversion, changes made "in the UI").
"""

from __future__ import annotations

from flask import Flask, Response, request

from mocks.core.app import create_mock_app
from mocks.core.service import current_mock
from mocks.salesforce import errors
from mocks.salesforce.admin import admin_blueprint
from mocks.salesforce.bulk.api1 import bulk1_blueprint
from mocks.salesforce.bulk.api2 import bulk2_blueprint
from mocks.salesforce.composite import composite_blueprint
from mocks.salesforce.config import SalesforceConfig
from mocks.salesforce.describe import describe_blueprint, limit_info, versions_blueprint
from mocks.salesforce.models import SalesforceError
from mocks.salesforce.oauth import oauth_blueprint
from mocks.salesforce.query import query_blueprint
from mocks.salesforce.search import search_blueprint
from mocks.salesforce.service import SalesforceService
from mocks.salesforce.soap import soap_blueprint
from mocks.salesforce.sobjects import sobjects_blueprint
from mocks.salesforce.soql import SoqlError


def create_app(config: SalesforceConfig | None = None) -> Flask:
    app = create_mock_app("salesforce", config or SalesforceConfig(), SalesforceService)
    app.url_map.strict_slashes = False  # Salesforce accepts both, per call
    for blueprint in (oauth_blueprint(), soap_blueprint(), versions_blueprint(),
                      describe_blueprint(), sobjects_blueprint(), query_blueprint(),
                      search_blueprint(), composite_blueprint(), bulk1_blueprint(),
                      bulk2_blueprint(), admin_blueprint()):
        app.register_blueprint(blueprint)

    @app.errorhandler(SalesforceError)
    def on_salesforce_error(exc: SalesforceError) -> Response:
        return errors.error_response(exc.code, exc.message, exc.status, exc.fields)

    @app.errorhandler(SoqlError)
    def on_soql_error(exc: SoqlError) -> Response:
        return errors.error_response(exc.code, exc.message, 400)

    @app.before_request
    def bulk_catch_up() -> None:
        # Bulk batches move on the mock's clock, whoever is asked: a batch due to start
        # has written its records before any call after that moment reads them
        if request.path.startswith(("/services/data/v", "/services/async/")):
            current_mock().service.org.bulk.catch_up()

    @app.after_request
    def usage_header(response: Response) -> Response:
        if not request.path.startswith("/__admin__"):
            response.headers["Sforce-Limit-Info"] = limit_info()
        return response

    return app


__all__ = ["SalesforceConfig", "create_app"]
