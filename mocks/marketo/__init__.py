"""A faithful mock of Marketo Engage's REST API (``create_app``)."""

from __future__ import annotations

from flask import Flask

from mocks.core.app import create_mock_app
from mocks.marketo.config import MarketoConfig
from mocks.marketo.service import MarketoService


def create_app(config: MarketoConfig | None = None) -> Flask:
    return create_mock_app("marketo", config or MarketoConfig(), MarketoService)


__all__ = ["MarketoConfig", "create_app"]
