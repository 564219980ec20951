"""siasim: simulation and conformance harness for the SIA / Marketo / Salesforce data sync.

This package is the command line that ties the parts together: ``mocks`` (the servers),
``engine`` (the reference Sales Insight Actions), ``features`` (the conformance kit) and
``fixtures`` (worlds). It is the only place that may import all of them.
"""

__version__ = "0.1.0"
