"""The HTTP driver protocol: the kit drives an integration in any language over HTTP.

- ``methods``: the protocol's methods, read from the driver contract;
- ``openapi``: its OpenAPI 3.1 document (``siasim driver-spec``);
- ``client``: the kit's driver for ``--sut http://...``;
- ``server``: any Python driver behind the protocol (``siasim serve driver``).
"""
