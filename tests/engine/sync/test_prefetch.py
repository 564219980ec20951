"""The producer thread of the initial sync: order, errors, and stopping early."""

from __future__ import annotations

import threading

import pytest

from engine.sync.prefetch import Prefetch


def test_items_arrive_in_order_and_the_producer_ends():
    def produce(put, stopped):
        for n in range(50):
            put(n)

    with Prefetch(produce, ahead=2) as items:
        assert list(items) == list(range(50))


def test_an_error_in_the_producer_reaches_the_consumer_as_itself():
    class Boom(Exception):
        pass

    def produce(put, stopped):
        put(1)
        raise Boom("no file")

    got = []
    with pytest.raises(Boom, match="no file"), Prefetch(produce) as items:
        for item in items:
            got.append(item)
    assert got == [1]


def test_a_consumer_that_stops_stops_the_producer_and_discards_what_is_left():
    made, discarded = [], []
    finished = threading.Event()

    def produce(put, stopped):
        n = 0
        while put(n):
            made.append(n)
            n += 1
        finished.set()

    with Prefetch(produce, ahead=1, discard=discarded.append) as items:
        for item in items:
            if item == 2:
                break
    assert finished.wait(5)
    # every item made was either taken or discarded (the one whose put was refused too)
    assert sorted([0, 1, 2, *discarded]) == list(range(len(made) + 1))
