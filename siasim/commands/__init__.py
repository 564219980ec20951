"""One module per ``siasim`` command."""
