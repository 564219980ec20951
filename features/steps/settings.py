"""Steps of SIA's settings (S-SETTINGS): every switch, listed and changed through the driver."""

from __future__ import annotations

from pytest_bdd import given, then, when

from features.contract import SETTINGS
from features.steps.common import phrase, succeeded


def setting_value(text: str):
    return {"on": True, "off": False}.get(text, text)


def change(driver, name: str, text: str) -> None:
    succeeded(driver.set_setting(name, setting_value(text)), f"setting {name} to {text}")


@given(phrase('the setting "{name}" is {value:on|off}'))
def given_switch(driver, name, value):
    change(driver, name, value)


@given(phrase('the setting "{name}" is "{value}"'))
def given_text(driver, name, value):
    change(driver, name, value)


@given(phrase('the setting "{name}" is switched {value:on|off}'))
@when(phrase('the setting "{name}" is switched {value:on|off}'))
def switch(driver, name, value):
    change(driver, name, value)


@then(phrase('the setting "{name}" is [still ]{value:on|off}'))
def setting_is(driver, name, value):
    actual = driver.settings().get(name)
    assert actual is setting_value(value), f"{name} is {actual!r}, not {value}"


@then(phrase("SIA's settings list these switches:"))
def settings_listed(driver, datatable):
    values = driver.settings()
    missing = [name for name in SETTINGS if name not in values]
    assert not missing, f"switches not listed: {missing}"
    for name, default in datatable[1:]:
        assert values[name] is setting_value(default), f"{name} is {values[name]!r} by default"


@when(phrase('an admin sets the setting "{name}" to "{value}"'), target_fixture="outcome")
def try_setting(driver, name, value):
    return driver.set_setting(name, value)
