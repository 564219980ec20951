"""The conformance kit: Gherkin specs of every rule, their steps, and the driver contract."""
