"""Usage: ``/rest/v1/stats/usage.json``, ``errors.json`` and their ``last7days`` forms."""

from __future__ import annotations

from flask import Blueprint

from mocks.marketo.envelope import success
from mocks.marketo.params import get_only, model

bp = Blueprint("marketo_stats", __name__)


@bp.route("/rest/v1/stats/usage.json", methods=["GET", "POST"])
def usage_today():
    get_only()
    return success(model().usage.usage(1))


@bp.route("/rest/v1/stats/usage/last7days.json", methods=["GET", "POST"])
def usage_week():
    get_only()
    return success(model().usage.usage(7))


@bp.route("/rest/v1/stats/errors.json", methods=["GET", "POST"])
def errors_today():
    get_only()
    return success(model().usage.errors(1))


@bp.route("/rest/v1/stats/errors/last7days.json", methods=["GET", "POST"])
def errors_week():
    get_only()
    return success(model().usage.errors(7))
