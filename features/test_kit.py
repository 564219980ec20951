"""Every feature file of the kit, as pytest tests."""

from pytest_bdd import scenarios

scenarios(".")
