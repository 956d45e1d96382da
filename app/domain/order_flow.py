"""Which status changes a packer may make by hand (ready, hold, release), and why not."""

from __future__ import annotations

from enum import StrEnum

from app.domain.orders import LABELLED_STATUSES, OrderStatus


class StatusAction(StrEnum):
    """A manual status change."""

    READY = "ready"
    HOLD = "hold"
    RELEASE = "release"


_OPEN = frozenset({OrderStatus.IMPORTED, OrderStatus.READY_TO_SHIP})

#: The statuses each action changes (everything else is either already done or refused).
SOURCE_STATUSES: dict[StatusAction, frozenset[OrderStatus]] = {
    StatusAction.READY: frozenset({OrderStatus.IMPORTED}),
    StatusAction.HOLD: _OPEN,
    StatusAction.RELEASE: frozenset({OrderStatus.ON_HOLD}),
}

#: Statuses in which the action has nothing to do: asking again is not an error.
_ALREADY_DONE: dict[StatusAction, frozenset[OrderStatus]] = {
    StatusAction.READY: frozenset({OrderStatus.READY_TO_SHIP}),
    StatusAction.HOLD: frozenset({OrderStatus.ON_HOLD}),
    StatusAction.RELEASE: _OPEN,
}


def next_status(
    action: StatusAction, current: OrderStatus, held_from: OrderStatus | None = None
) -> OrderStatus | None:
    """The status after `action`, or None when the action does not change `current`.

    A released order goes back to ready when it was held from ready, else to imported.
    """
    if current not in SOURCE_STATUSES[action]:
        return None
    if action is StatusAction.READY:
        return OrderStatus.READY_TO_SHIP
    if action is StatusAction.HOLD:
        return OrderStatus.ON_HOLD
    if held_from is OrderStatus.READY_TO_SHIP:
        return OrderStatus.READY_TO_SHIP
    return OrderStatus.IMPORTED


def is_already_done(action: StatusAction, current: OrderStatus) -> bool:
    """True when an order is already where `action` would put it."""
    return current in _ALREADY_DONE[action]


def refusal_reason(action: StatusAction, current: OrderStatus) -> str:
    """Why `action` cannot apply to an order in `current` (for error messages)."""
    if current in LABELLED_STATUSES:
        return f"it already has a label ({current.value})"
    if current is OrderStatus.CANCELLED:
        return "it is cancelled"
    if action is StatusAction.READY and current is OrderStatus.ON_HOLD:
        return "it is on hold; release it first"
    return f"its status is {current.value}"
