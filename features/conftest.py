"""The conformance kit's pytest set-up: the plugin and every step definition."""

from features.plugin import *  # noqa: F403 (hooks, options and fixtures)
from features.steps.common import *  # noqa: F403 (step definitions are fixtures)
from features.steps.people import *  # noqa: F403
