"""The conformance kit's pytest set-up: the plugin and every module of step definitions."""

pytest_plugins = (
    "features.plugin",  # options, markers, the driver and mocks fixtures, the report
    "features.steps.common",
    "features.steps.people",
    "features.steps.activities",
    "features.steps.unsubscribes",
    "features.steps.tasks",
    "features.steps.settings",
)
