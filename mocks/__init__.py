"""Faithful local servers of Marketo Engage's and Salesforce's REST APIs.

One package per service (``mocks.marketo``, ``mocks.salesforce``), each with a
``create_app(config)`` factory; the machinery both share lives in ``mocks.core``.
Nothing here imports ``engine``: the reference engine talks to the mocks over HTTP only.
"""
