"""Thin HTTP clients for Marketo and Salesforce, on ``requests``."""
