"""Sends a tool's requests for ``https://<munchkin>.mktorest.com`` to the Marketo mock.

Tools such as tap-marketo build Marketo's host from the Munchkin id and cannot be pointed
elsewhere. Python imports ``sitecustomize`` at start-up from ``PYTHONPATH``: this one
wraps ``requests``' adapter so that, with ``SIASIM_MKTOREST_TO=http://127.0.0.1:PORT`` in
the environment, such URLs go to the mock instead. The tool itself is unchanged.
"""

import os
from urllib.parse import urlsplit, urlunsplit

target = os.environ.get("SIASIM_MKTOREST_TO")
if target:
    import requests.adapters

    _send = requests.adapters.HTTPAdapter.send
    _to = urlsplit(target)

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if url.hostname and url.hostname.endswith(".mktorest.com"):
            request.url = urlunsplit((_to.scheme, _to.netloc, url.path, url.query, ""))
        return _send(self, request, **kwargs)

    requests.adapters.HTTPAdapter.send = send
