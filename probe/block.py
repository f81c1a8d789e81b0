"""The block, and the promise that holds it: one block, exit status 0, whatever is raised.

The head (:func:`probe.emit.head`) comes first, then each product's value. A stalled
network mount or a FIFO can block a system call for minutes, so the products are looked
up in a worker thread; when the deadline passes first, the worker is abandoned (the
process ends right after the answer) and the keys it did not reach are left out, with
status ``timeout``. Anything raised that nobody planned for (a start-up hook that broke a
function of ``os``, a finder that raises) costs only the keys it touched: the block has
the keys known so far, status ``error``, and stderr one line naming what failed.
"""

import _thread
import sys

from probe.emit import (
    STATUS_ERROR,
    STATUS_OK,
    STATUS_TIMEOUT,
    error_line,
    fixed_pairs,
    head,
    with_status,
    write_block,
    write_stderr,
)
from probe.locate import user_search_path
from probe.products import PRODUCTS, Target, resolve, target_for

TYPE_CHECKING = False  # typing is not imported at run time; type checkers treat this as True
if TYPE_CHECKING:
    Failures = list[tuple[str, BaseException]]


def targets(names: "list[str]") -> "list[Target]":
    """The products to report: the distributions named, else the six; one per key, in order."""
    chosen = [target_for(name) for name in names] if names else list(PRODUCTS)
    return list({target.key: target for target in chosen}.values())


def gather(
    chosen: "list[Target]", search_path: "list[str]", timeout: float, failed: "Failures"
) -> "tuple[str, list[tuple[str, object]]]":
    """Resolve every target in a worker thread; after *timeout* seconds, answer with what is known.

    A target whose lookup raised is left out and added to *failed*.
    """
    results: "dict[str, object]" = {}
    errors: "Failures" = []
    done = _thread.allocate_lock()
    done.acquire()

    def work() -> None:
        try:
            for target in chosen:
                try:
                    results[target.key] = resolve(target, search_path)
                except BaseException as error:  # even SystemExit from a hook: this key only
                    errors.append((target.key, error))
        finally:
            done.release()

    try:
        _thread.start_new_thread(work, ())
    except Exception:  # no threads on this platform (or a hook broke them): no deadline either
        work()
    finished = done.acquire(True, timeout)
    known = dict(results)
    failed.extend(errors[:])
    if not finished:
        status = STATUS_TIMEOUT
    elif failed:
        status = STATUS_ERROR
    else:
        status = STATUS_OK
    return status, [(target.key, known[target.key]) for target in chosen if target.key in known]


def pairs(names: "list[str]", timeout: float, failed: "Failures | None" = None) -> "list[tuple[str, object]]":
    """The block as ``(key, value)`` pairs, in the documented order; failures go to *failed*.

    ``sys.path`` is read here once, as the user's code sees it, and handed down: no lookup reads it.
    """
    failures: "Failures" = [] if failed is None else failed
    status = STATUS_ERROR
    products: "list[tuple[str, object]]" = []
    try:
        search_path = user_search_path(sys.path, sys.flags)
        status, products = gather(targets(names), search_path, timeout, failures)
    except BaseException as error:
        failures.append(("the lookup", error))
    try:
        block = head(status, failures)
    except BaseException as error:  # describe() guards each key; this guards describe() itself
        failures.append(("the interpreter keys", error))
        block = fixed_pairs(STATUS_ERROR)
    if failures and status == STATUS_OK:
        block = with_status(block, STATUS_ERROR)
    return block + products


def answer(names: "list[str]", timeout: float, pretty: bool) -> int:
    """Print the block and return exit status 0, whatever happened on the way."""
    failed: "Failures" = []
    write_block(pairs(names, timeout, failed), pretty)
    if failed:
        what = ", ".join(sorted({key for key, _ in failed}))
        write_stderr(error_line(what, failed[0][1]))
    return 0
