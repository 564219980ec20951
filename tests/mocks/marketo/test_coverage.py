"""The coverage page is generated from the mock's route table and the documented
operations, and must be up to date; every operation is answered or left out with a reason."""

from __future__ import annotations

from mocks.marketo import coverage


def test_the_list_has_every_documented_operation_once():
    ops = coverage.operations()
    assert len(ops) == 147  # Adobe's reference of the Lead Database API
    assert len({(op.method, op.path) for op in ops}) == 147


def test_every_operation_is_answered_or_left_out_with_a_reason(make_app):
    app = make_app(None)
    for op in coverage.operations():
        answered = coverage.answers(app, op)
        if op.left_out:
            assert answered is None, f"{op.method} {op.path} is answered by {answered}: " \
                                     "drop its 'left out' note from operations.txt"
        else:
            assert answered, f"{op.method} {op.path} is not answered and has no reason"


def test_the_page_is_up_to_date(make_app):
    expected = coverage.page(make_app(None), coverage.operations()) + "\n"
    assert coverage.PAGE.read_text() == expected, \
        "docs/marketo-coverage.md is stale: run python -m mocks.marketo.coverage"


def test_an_unanswered_operation_without_a_reason_is_caught(make_app):
    ops = coverage.operations("## Made up\nGET /rest/v1/nothing.json\n")
    assert coverage.answers(make_app(None), ops[0]) is None and ops[0].left_out is None
