"""Sends a tool's requests for Salesforce's login hosts to the Salesforce mock.

Tools such as tap-salesforce log in at ``https://login.salesforce.com`` (or
``test.salesforce.com``) and cannot be pointed elsewhere; everything after the login goes
to the ``instance_url`` the token answer names, which is the mock's. Python imports
``sitecustomize`` at start-up from ``PYTHONPATH``: this one wraps ``requests``' adapter so
that, with ``SIASIM_SALESFORCE_TO=http://127.0.0.1:PORT`` in the environment, those URLs
go to the mock instead. The tool itself is unchanged.
"""

import os
from urllib.parse import urlsplit, urlunsplit

target = os.environ.get("SIASIM_SALESFORCE_TO")
if target:
    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send
    _to = urlsplit(target)
    _LOGIN_HOSTS = ("login.salesforce.com", "test.salesforce.com")

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if url.hostname in _LOGIN_HOSTS:
            request.url = urlunsplit((_to.scheme, _to.netloc, url.path, url.query, ""))
        return _send(self, request, **kwargs)

    requests.adapters.HTTPAdapter.send = send
