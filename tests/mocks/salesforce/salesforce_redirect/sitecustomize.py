"""Sends a tool's requests for Salesforce's own hosts to the Salesforce mock.

Tools such as tap-salesforce log in at ``https://login.salesforce.com`` (or
``test.salesforce.com``) whatever their configuration says. Python imports
``sitecustomize`` at start-up from ``PYTHONPATH``: this one wraps ``requests``' adapter
so that, with ``SIASIM_SALESFORCE_TO=http://127.0.0.1:PORT`` in the environment, URLs of
``*.salesforce.com`` go to the mock instead (the mock's answers name its own URL as
``instance_url``, so the rest of the traffic goes there by itself). The tool is unchanged.
"""

import os
from urllib.parse import urlsplit, urlunsplit

target = os.environ.get("SIASIM_SALESFORCE_TO")
if target:
    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send
    _to = urlsplit(target)

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if url.hostname and (url.hostname == "salesforce.com"
                             or url.hostname.endswith(".salesforce.com")):
            request.url = urlunsplit((_to.scheme, _to.netloc, url.path, url.query, ""))
        return _send(self, request, **kwargs)

    requests.adapters.HTTPAdapter.send = send
