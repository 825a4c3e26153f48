"""Many writers at once, for the races of the seat rules: each in its own thread with its own
PostgreSQL connection, released at the same instant by a barrier (tests marked
``django_db(transaction=True)``, so that the threads see each other's commits)."""

import threading
from collections.abc import Callable

from django.db import connection

from delegates.registration.seats import RegistrationBusy


def run_together(count: int, action: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run ``action(i)`` for i in range(count), each in its own thread with its own database connection,
    all released at once. A RegistrationBusy is retried, as the page asks the delegate to do. Returns the
    results (in i order) and the exceptions raised."""
    barrier = threading.Barrier(count, timeout=60)
    results: list[object] = [None] * count
    errors: list[BaseException] = []
    busy = [0]

    def worker(i: int) -> None:
        try:
            connection.ensure_connection()  # connect before the start line, not after it
            barrier.wait()
            while True:
                try:
                    results[i] = action(i)
                    return
                except RegistrationBusy:
                    busy[0] += 1
        except BaseException as error:  # collected and asserted on by the test
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert busy[0] == 0, "the lock timeout is long enough that nobody should have been told to retry"
    return results, errors
