"""Sends a tool's requests for a hard-coded host to a mock, at the HTTP layer.

Some tools cannot be pointed anywhere else: tap-marketo builds
``https://<munchkin>.mktorest.com`` from the Munchkin id, tap-salesforce logs in at
``https://login.salesforce.com``. Python imports ``sitecustomize`` at start-up from
``PYTHONPATH``: this one wraps ``requests``' adapter so that, with
``SIASIM_REDIRECT="mktorest.com=http://127.0.0.1:8401 salesforce.com=http://127.0.0.1:8402"``
in the environment, a URL whose host is one of those domains or under it goes to that
mock instead, path and query kept. The tool itself is unchanged.
"""

import os
from urllib.parse import urlsplit, urlunsplit

_rules = [rule.split("=", 1) for rule in os.environ.get("SIASIM_REDIRECT", "").split()
          if "=" in rule]
if _rules:
    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send
    _targets = [(domain.lower().lstrip("."), urlsplit(url)) for domain, url in _rules]

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        host = (url.hostname or "").lower()
        for domain, target in _targets:
            if host == domain or host.endswith("." + domain):
                request.url = urlunsplit((target.scheme, target.netloc, url.path, url.query,
                                          ""))
                break
        return _send(self, request, **kwargs)

    requests.adapters.HTTPAdapter.send = send
