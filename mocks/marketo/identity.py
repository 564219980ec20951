"""``/identity/oauth/token``: the client credentials grant (GET or POST).

Answers as Marketo's identity service does: the same token until it expires, with the
seconds it has left; HTTP 401 ``invalid_client`` for bad credentials; OAuth's own error
bodies (not the REST envelope) for a bad grant. Identity calls are free: they count
toward no limit.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from mocks.core.service import current_mock

bp = Blueprint("marketo_identity", __name__)


def _oauth_error(status: int, error: str, description: str):
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    return response


@bp.route("/identity/oauth/token", methods=["GET", "POST"])
def token():
    ctx = current_mock()
    values = request.values  # query and form alike, as Marketo accepts both
    grant = values.get("grant_type")
    if not grant:
        return _oauth_error(400, "invalid_request", "Missing grant type")
    if grant != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", f"Unsupported grant type: {grant}")
    client_id, secret = values.get("client_id"), values.get("client_secret")
    known = {ctx.config.client_id: ctx.config.client_secret,
             ctx.config.sia_client_id: ctx.config.sia_client_secret}
    if client_id not in known or secret != known[client_id]:
        return _oauth_error(401, "invalid_client", "Bad client credentials")
    value, remaining = ctx.service.model.tokens.issue(client_id)
    return jsonify({"access_token": value, "token_type": "bearer", "expires_in": remaining,
                    "scope": ctx.config.user_of(client_id)})
