"""Worker processes give back every chunk's result, in order, and the work's
own exceptions; see also tests/test_hostile_budget.py for workers that die."""
from __future__ import annotations

import pytest

from checker.workers import map_in_workers


def _start_doubling(factor: int):
    return lambda chunk: [item * factor for item in chunk]


def _start_failing():
    def work(chunk):
        if 7 in chunk:
            raise ValueError("seven is not allowed")
        return chunk
    return work


@pytest.mark.parametrize("count", [0, 1, 2, 3, 10])
@pytest.mark.parametrize("jobs", [2, 3])
def test_results_come_back_in_input_order(count, jobs):
    chunks = [[i, i + 100] for i in range(count)]
    results = list(map_in_workers(iter(chunks), jobs, _start_doubling, (2,)))
    assert results == [[2 * i, 2 * (i + 100)] for i in range(count)]


def test_an_exception_in_the_work_is_raised_in_the_parent():
    with pytest.raises(ValueError, match="seven"):
        list(map_in_workers(([i] for i in range(20)), 2, _start_failing))


def test_input_is_read_as_it_is_worked_on():
    read = []

    def chunks():
        for i in range(1000):
            read.append(i)
            yield [i]

    results = map_in_workers(chunks(), 2, _start_doubling, (1,))
    assert next(results) == [0]
    assert len(read) <= 3          # one chunk per worker in flight, and the next
    results.close()
