"""Keep Python's cyclic garbage collector off the GUI thread's back after a bulk load.

100,000 orders are about a million long-lived objects. Each full collection walks them all while
holding the GIL (measured: 270-370 ms, the longest stall the GUI had). `gc.freeze()` moves what
is alive now into the permanent generation, which collections skip; reference counting still
frees those objects when a reload drops them (they are plain frozen dataclasses and strings).
"""

from __future__ import annotations

import gc
import sys

from app.services.bulk import freeze_bulk_loads


def settle_bulk_load() -> None:
    """Call after a bulk load was handed to the GUI: later collections skip what it holds.

    A young-generation collection first, so fresh cyclic garbage is not frozen with it.
    """
    gc.collect(0)
    gc.freeze()


#: How long a worker thread may keep the GIL while the GUI thread waits for it (Python's default
#: is 5 ms; with a dozen buy, print and sandbox threads the GUI waited 250 ms at times). Each
#: wait can repeat while the buy's threads take turns: at 0.2 ms the longest stall of a
#: 1,000-label buy was 32-52 ms over five runs (median 39), at 1 ms 34-76 ms (median 52), with
#: the same buy time (bench/bench_gui.py, quiet machine).
GIL_SWITCH_INTERVAL_S = 0.0002
_DEFAULT_SWITCH_INTERVAL_S = sys.getswitchinterval()


def keep_gc_off_the_gui_thread() -> None:
    """At start: freeze what start-up built, and every bulk load from now on; hand the GIL
    back to the GUI thread sooner."""
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    freeze_bulk_loads(True)
    gc.collect()  # garbage alive now would never be collected once frozen
    gc.freeze()


def restore_runtime() -> None:
    """When the window closes: the collector sees everything again (what was frozen and became
    garbage is collected), and the GIL switches at Python's default pace."""
    freeze_bulk_loads(False)
    gc.unfreeze()
    sys.setswitchinterval(_DEFAULT_SWITCH_INTERVAL_S)
