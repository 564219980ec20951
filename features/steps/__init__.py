"""Step definitions, one module per topic."""
