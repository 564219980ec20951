"""Bad requests to both mocks (``--fuzz-count`` to each, 1,000 by default: 2,000 in all;
seeded with ``--fuzz-seed``): no 5xx, no traceback, no hang, no partial write, only the
service's own refusals. The figures of a run are printed (``pytest tests/fuzz -s``)."""

from __future__ import annotations

import pytest

from tests.fuzz.runner import run


@pytest.mark.parametrize("service", ["marketo", "salesforce"])
def test_bad_requests_get_the_services_own_refusals(fuzzed, service, fuzz_count, fuzz_seed):
    mock = fuzzed[service]
    report = run(mock.target, mock.fuzzer(fuzz_seed), fuzz_count, mock.keep_usable)
    print("\n" + report.summary())
    assert report.sent == fuzz_count
    assert not report.failures, report.summary() + "\n\n" + "\n\n".join(report.failures)
