"""The conformance kit's pytest set-up: the plugin and every step definition."""

from features.plugin import *  # noqa: F403 (hooks, options and fixtures)
from features.steps.activities import *  # noqa: F403
from features.steps.common import *  # noqa: F403 (step definitions are fixtures)
from features.steps.people import *  # noqa: F403
from features.steps.settings import *  # noqa: F403
from features.steps.tasks import *  # noqa: F403
from features.steps.unsubscribes import *  # noqa: F403
