"""One module per sync SIA runs."""
