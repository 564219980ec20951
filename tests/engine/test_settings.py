import pytest

from engine.db import EngineDB
from engine.errors import InvalidInput, MappingNotConfigurable
from engine.settings import SETTINGS, Settings


@pytest.fixture
def settings(tmp_path):
    return Settings(EngineDB(tmp_path / "sia.db"))


def test_defaults(settings):
    values = settings.all()
    assert values["salesforce.sync_tasks"] is False  # T-TWO-WAY: off by default
    assert values["marketo.unsubscribe_check"] is False
    assert values["salesforce.log_emails"] is True
    assert [d["key"] for d in settings.describe()] == [s.key for s in SETTINGS]


def test_a_change_is_read_back_at_once(settings):
    settings.set("salesforce.log_emails", "off")
    assert settings.get("salesforce.log_emails") is False
    settings.set("salesforce.log_emails", True)
    assert settings.get("salesforce.log_emails") is True


@pytest.mark.parametrize("key,value", [
    ("salesforce.log_emails", "maybe"),
    ("salesforce.log_emails", 3),
    ("salesforce.email_subject_template", "{nope}"),
    ("salesforce.email_subject_template", "{subject"),
    ("salesforce.email_subject_template", "{subject.__class__}"),
    ("salesforce.email_subject_template", "{subject!r}"),
    ("salesforce.email_subject_template", "{subject:>300}"),
    ("salesforce.email_subject_template", "{0}"),
    ("salesforce.email_subject_template", "x" * 256),
    ("salesforce.email_subject_template", ""),
    ("no.such.setting", True),
])
def test_bad_values_are_refused_and_change_nothing(settings, key, value):
    before = settings.all()
    with pytest.raises(InvalidInput):
        settings.set(key, value)
    assert settings.all() == before


def test_field_mapping_is_not_a_setting(settings):
    with pytest.raises(MappingNotConfigurable, match="cannot be configured"):
        settings.set("mapping.Title", "city")
