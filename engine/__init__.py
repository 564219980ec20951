"""The reference Sales Insight Actions: its own database and every sync it runs.

It talks to Marketo and Salesforce over HTTP only, as it would talk to the real services;
nothing here imports ``mocks``.
"""
