"""Steps of SIA's settings (S-SETTINGS): every switch, listed and changed through the driver."""

from __future__ import annotations

from pytest_bdd import given, parsers, then, when

from features.contract import SETTINGS
from features.steps.common import phrase

_VALUE = r'(?P<value>on|off|"[^"]*")'


def _value(text: str):
    return {"on": True, "off": False}.get(text, text.strip('"'))


def change(driver, name: str, text: str) -> None:
    outcome = driver.set_setting(name, _value(text))
    assert outcome.ok, f"setting {name} to {text} failed: {outcome.error}"


@given(parsers.re(r'the setting "(?P<name>[^"]+)" is ' + _VALUE))
def given_setting(driver, name, value):
    change(driver, name, value)


@given(parsers.re(r'the setting "(?P<name>[^"]+)" is switched (?P<value>on|off)'))
@when(parsers.re(r'the setting "(?P<name>[^"]+)" is switched (?P<value>on|off)'))
def switch(driver, name, value):
    change(driver, name, value)


@then(parsers.re(r'the setting "(?P<name>[^"]+)" is (?:still )?(?P<value>on|off)'))
def setting_is(driver, name, value):
    actual = driver.settings().get(name)
    assert actual is _value(value), f"{name} is {actual!r}, not {value}"


@then("SIA's settings list these switches:")
def settings_listed(driver, datatable):
    values = driver.settings()
    missing = [name for name in SETTINGS if name not in values]
    assert not missing, f"switches not listed: {missing}"
    for name, default in datatable[1:]:
        assert values[name] is _value(default), f"{name} is {values[name]!r} by default"


@when(phrase('an admin sets the setting "{name}" to "{value}"'))
def try_setting(driver, state, name, value):
    state.outcome = driver.set_setting(name, value)
