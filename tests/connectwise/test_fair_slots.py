"""`FairSlots`: at most N holders, served in the order they asked — a thread that gives its slot
back cannot take it straight back ahead of one that was waiting (threading.Semaphore lets it)."""

from __future__ import annotations

import threading
import time

from reconciler.httpclient import FairSlots


def _wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.001)


def test_a_releasing_thread_queues_behind_the_one_that_waited() -> None:
    slots = FairSlots(1)
    order: list[str] = []
    waiting = threading.Event()

    def other() -> None:
        waiting.set()
        with slots:
            order.append("other")

    with slots:
        thread = threading.Thread(target=other)
        thread.start()
        waiting.wait(5)
        _wait_for(lambda: len(slots._waiters) == 1)
    with slots:  # asked again right after giving it back: the waiter is served first
        order.append("again")
    thread.join(5)
    assert order == ["other", "again"]


def test_never_more_holders_than_slots() -> None:
    slots = FairSlots(3)
    lock = threading.Lock()
    inside = 0
    most = 0

    def work() -> None:
        nonlocal inside, most
        for _ in range(50):
            with slots:
                with lock:
                    inside += 1
                    most = max(most, inside)
                time.sleep(0.0005)
                with lock:
                    inside -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert most == 3
    assert inside == 0
    with slots, slots, slots:  # every slot came back
        pass
