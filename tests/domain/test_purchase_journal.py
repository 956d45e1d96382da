"""The purchase journal's table and decisions: every decision lands on an allowed transition, and
a state machine over a row and EasyPost never loses money nor buys twice."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from app.domain import purchase_journal as rules
from app.domain.fulfilment import OPEN_PURCHASE_STATES, PurchaseState
from app.domain.purchase_journal import (
    ABANDON_AFTER,
    FINAL_STATES,
    TRANSITIONS,
    Lookup,
    RecordFailure,
    Step,
    can_transition,
)

S = PurchaseState
T0 = datetime(2026, 11, 28, 9, 0)  # a Saturday


def test_the_table_names_every_state_and_final_states_lead_nowhere() -> None:
    assert set(TRANSITIONS) == set(PurchaseState)
    for state in FINAL_STATES:
        assert TRANSITIONS[state] == frozenset()
        assert not any(can_transition(state, other) for other in PurchaseState)
    assert set(PurchaseState) == FINAL_STATES | OPEN_PURCHASE_STATES


def test_no_sold_label_can_become_failed_or_abandoned_once_recorded_or_kept() -> None:
    for state in (S.UNRECORDED, S.BOUGHT):
        assert not can_transition(state, S.FAILED)
        assert not can_transition(state, S.ABANDONED)
    assert not can_transition(S.INTENT, S.BUYING)  # no buy without a created shipment
    assert not can_transition(S.UNRECORDED, S.BUYING)  # never bought again while kept


@pytest.mark.parametrize(
    ("state", "lookup", "has_shipment"),
    list(
        itertools.product(
            sorted(OPEN_PURCHASE_STATES - {S.UNRECORDED}), list(Lookup), [True, False]
        )
    ),
)
def test_every_reconcile_decision_is_an_allowed_transition(
    state: PurchaseState, lookup: Lookup, has_shipment: bool
) -> None:
    decision = rules.reconcile(state, lookup, has_shipment=has_shipment)
    if decision.state is not None:
        assert can_transition(state, decision.state), (state, lookup, decision)
    if state in rules.BUY_SENT:
        # A buy was sent: never given up by a look-up alone.
        assert decision.step is not Step.ABANDON
    if lookup is Lookup.BOUGHT:
        assert decision.step is Step.RECORD
    if lookup is Lookup.UNREACHABLE:
        assert decision.step is Step.KEEP


@pytest.mark.parametrize("state", sorted(OPEN_PURCHASE_STATES - {S.UNRECORDED}))
@pytest.mark.parametrize("age", [timedelta(0), ABANDON_AFTER - timedelta(seconds=1), ABANDON_AFTER])
def test_every_set_aside_decision_is_allowed_and_waits_while_a_buy_may_complete(
    state: PurchaseState, age: timedelta
) -> None:
    decision = rules.set_aside(state, T0, T0 + age, "blocked")
    assert decision.state is not None and can_transition(state, decision.state)
    if state in rules.BUY_SENT and age < ABANDON_AFTER:
        assert decision.step is Step.WAIT and decision.state is S.UNKNOWN
    else:
        assert decision.step is Step.ABANDON


@pytest.mark.parametrize("failure", [None, *RecordFailure])
def test_unrecorded_labels_are_recorded_refunded_or_kept_never_dropped(
    failure: RecordFailure | None,
) -> None:
    decision = rules.settle_unrecorded(failure, "why")
    if failure is None:
        assert decision.state is S.BOUGHT
    elif failure in rules.PERMANENT_FAILURES:
        assert decision.step is Step.REFUND and decision.state is S.REFUNDED
        assert failure.value in decision.reason
    else:
        assert decision.step is Step.KEEP and decision.state is None
    if decision.state is not None:
        assert can_transition(S.UNRECORDED, decision.state)


def test_a_changed_service_abandons_the_old_shipment_and_cheapest_resumes_it() -> None:
    assert rules.resume("Priority", "GroundAdvantage").step is Step.ABANDON
    assert rules.resume("Priority", "cheapest").step is Step.RESUME
    assert rules.resume("Priority", None).step is Step.RESUME
    assert rules.resume(None, "Priority").step is Step.RESUME


class JournalMachine(RuleBasedStateMachine):
    """One order's journal rows against a model of EasyPost, driven through the decisions.

    EasyPost: a shipment may exist; a buy may be sold, refused, or lost (sold, or still pending
    for less than ABANDON_AFTER). The process may stop between any two steps (a row keeps its
    last committed state). When a row ends without a label, a later run starts a new row for
    the order. The invariants are the money promises, for the order as a whole.
    """

    def __init__(self) -> None:
        super().__init__()
        self.now = T0
        self.live = 0  # labels EasyPost sold for this order and not refunded
        self.recorded = 0  # labels recorded as the order's label
        self.db_refuses: RecordFailure | None = None
        self.pending: list[datetime] = []  # lost buys that may still complete (their times)
        self._new_row()

    def _new_row(self) -> None:
        self.state: PurchaseState = S.INTENT
        self.last_step_at = self.now
        self.shipment = False
        self.row_sold = False
        self.row_pending = False

    def _go(self, new: PurchaseState) -> None:
        assert can_transition(self.state, new), (self.state, new)
        if new is S.BUYING:
            self.last_step_at = self.now
        self.state = new

    def _sell(self) -> None:
        self.live += 1
        self.row_sold = True

    def _record(self) -> None:
        """The label EasyPost sold reaches the database (or is kept / refunded)."""
        if self.db_refuses is None:
            self._go(S.BOUGHT)
            self.recorded += 1
            return
        self._go(S.UNRECORDED)
        self._settle()

    def _settle(self) -> None:
        decision = rules.settle_unrecorded(self.db_refuses, "x")
        if decision.step is Step.RECORD:
            self.recorded += 1
            self._go(S.BOUGHT)
        elif decision.step is Step.REFUND:
            self.live -= 1
            self._go(S.REFUNDED)

    # -- the world --------------------------------------------------------------------------

    @rule(minutes=st.sampled_from([0, 1, 5, 9, 10, 11, 30]))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        # A lost buy that did not complete within ABANDON_AFTER never will.
        self.pending = [t for t in self.pending if self.now - t < ABANDON_AFTER]
        if self.row_pending and not self.pending:
            self.row_pending = False

    @precondition(lambda self: bool(self.pending))
    @rule()
    def a_lost_buy_completes(self) -> None:
        self.pending.pop(0)
        self.live += 1
        if self.row_pending:
            self.row_pending = False
            self.row_sold = True

    @rule(failure=st.sampled_from([None, *RecordFailure]))
    def database_mood(self, failure: RecordFailure | None) -> None:
        self.db_refuses = failure

    @precondition(lambda self: self.state in {S.FAILED, S.ABANDONED, S.REFUNDED})
    @rule()
    def a_later_run_starts_a_new_row(self) -> None:
        self._new_row()

    # -- the pipeline -----------------------------------------------------------------------

    @precondition(lambda self: self.state is S.INTENT)
    @rule(ok=st.booleans())
    def create_shipment(self, ok: bool) -> None:
        if ok:
            self.shipment = True
            self._go(S.CREATED)
        else:
            self._go(S.FAILED)

    @precondition(lambda self: self.state in {S.CREATED, S.UNKNOWN} and not self.row_sold)
    @rule(answer=st.sampled_from(["sold", "refused", "lost_sold", "lost_pending"]))
    def buy(self, answer: str) -> None:
        """Buy the row's shipment (EasyPost sells one label per shipment)."""
        if self.row_pending:
            return  # a buy of this shipment is in flight at EasyPost: it refuses another
        self._go(S.BUYING)
        if answer == "refused":
            self._go(S.FAILED)
        elif answer == "sold":
            self._sell()
            self._record()
        elif answer == "lost_sold":
            self._sell()
            self._go(S.UNKNOWN)
        else:
            self.row_pending = True
            self.pending.append(self.now)
            self._go(S.UNKNOWN)

    @precondition(lambda self: self.state in OPEN_PURCHASE_STATES - {S.UNRECORDED})
    @rule(reachable=st.booleans())
    def reconcile(self, reachable: bool) -> None:
        if not reachable:
            lookup = Lookup.UNREACHABLE
        elif self.row_sold:
            lookup = Lookup.BOUGHT
        elif self.shipment:
            lookup = Lookup.UNBOUGHT
        else:
            lookup = Lookup.NOT_FOUND
        decision = rules.reconcile(self.state, lookup, has_shipment=self.shipment)
        if decision.step is Step.RECORD:
            self._record()
        elif decision.state is not None and decision.state is not self.state:
            self._go(decision.state)

    @precondition(
        lambda self: self.state in OPEN_PURCHASE_STATES - {S.UNRECORDED} and not self.row_sold
    )
    @rule()
    def set_aside(self) -> None:
        """After a look-up that found nothing bought: the order is blocked now."""
        decision = rules.set_aside(self.state, self.last_step_at, self.now, "blocked")
        assert decision.state is not None
        if decision.state is not self.state:
            self._go(decision.state)

    @precondition(lambda self: self.state is S.UNRECORDED)
    @rule()
    def settle(self) -> None:
        self._settle()

    # -- the promises -----------------------------------------------------------------------

    @invariant()
    def never_two_live_labels(self) -> None:
        assert self.live <= 1

    @invariant()
    def money_is_never_dropped(self) -> None:
        if self.row_sold:
            # Sold: recorded, kept, refunded, or still open to be reconciled; never closed away.
            assert self.state not in {S.FAILED, S.ABANDONED}
        assert self.recorded <= 1

    @invariant()
    def a_pending_buy_keeps_its_row_open(self) -> None:
        if self.row_pending:
            assert self.state in OPEN_PURCHASE_STATES


JournalMachine.TestCase.settings = settings(
    max_examples=400, stateful_step_count=50, deadline=None, database=None
)
test_journal_state_machine = JournalMachine.TestCase
