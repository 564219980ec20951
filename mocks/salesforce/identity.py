"""Who a session's user is: the identity URL's document and OpenID Connect's userinfo.

Both describe the same user from the same row; the identity URL (``/id/{org}/{user}``,
named by every token answer) uses Salesforce's own keys, userinfo
(``/services/oauth2/userinfo``) the OpenID Connect ones. The mock's users are all in
UTC, speak en_US and are standard users.
"""

from __future__ import annotations


def _urls(base: str, user_id: str) -> dict:
    data = f"{base}/services/data/v{{version}}/"
    return {"enterprise": f"{base}/services/Soap/c/{{version}}/",
            "partner": f"{base}/services/Soap/u/{{version}}/",
            "rest": data, "sobjects": data + "sobjects/", "search": data + "search/",
            "query": data + "query/", "recent": data + "recent/",
            "profile": f"{base}/{user_id}", "limits": data + "limits/"}


def identity_document(base: str, org_id: str, user: dict, asserted: bool) -> dict:
    return {
        "id": f"{base}/id/{org_id}/{user['Id']}", "asserted_user": asserted,
        "user_id": user["Id"], "organization_id": org_id, "username": user["Username"],
        "nick_name": (user["Username"] or "").split("@")[0],
        "display_name": user["Name"], "email": user["Email"], "email_verified": True,
        "first_name": user["FirstName"], "last_name": user["LastName"], "timezone": "GMT",
        "active": bool(user["IsActive"]), "user_type": "STANDARD", "language": "en_US",
        "locale": "en_US", "utcOffset": 0, "urls": _urls(base, user["Id"]),
        "is_app_installed": True,
    }


def userinfo(base: str, org_id: str, user: dict) -> dict:
    return {
        "sub": f"{base}/id/{org_id}/{user['Id']}", "user_id": user["Id"],
        "organization_id": org_id, "preferred_username": user["Username"],
        "nickname": (user["Username"] or "").split("@")[0], "name": user["Name"],
        "email": user["Email"], "email_verified": True, "given_name": user["FirstName"],
        "family_name": user["LastName"], "zoneinfo": "GMT", "profile": f"{base}/{user['Id']}",
        "address": {}, "urls": _urls(base, user["Id"]), "active": bool(user["IsActive"]),
        "user_type": "STANDARD", "language": "en_US", "locale": "en_US", "utcOffset": 0,
        "is_app_installed": True,
    }
