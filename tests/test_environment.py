"""DialerEnvironment runs callbacks and ticks in exactly the order SimPy gives the timeouts they replace."""

from __future__ import annotations

import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer_sim.model import DialerEnvironment


def _simulate(env, plan, tick_dt, n_ticks, *, fast: bool) -> list[tuple]:
    """Events and ticks that spawn more events, with integer delays so that many fall on one instant."""
    trace: list[tuple] = []
    made = [0]

    def later(delay, callback, value):
        if fast:
            env.call_later(delay, callback, value)
        else:
            env.timeout(delay, value).callbacks.append(lambda event: callback(event.value))

    def spawn(n):
        for _ in range(n):
            if made[0] < len(plan):
                k = made[0]
                made[0] += 1
                later(plan[k][0], on_event, k)

    def on_event(k):
        trace.append((env.now, "event", k))
        spawn(plan[k][1])

    def on_tick(i=0):
        trace.append((env.now, "tick", i))
        if i % 3 == 0:
            spawn(1)
        if i + 1 < n_ticks:
            def nxt(i=i + 1):
                on_tick(i)
            if fast:
                env.schedule_tick(tick_dt, nxt)
            else:
                env.timeout(tick_dt).callbacks.append(lambda _event: nxt())

    def process():  # a SimPy process alongside: its start is an URGENT event, its timeouts normal ones
        for _ in range(3):
            yield env.timeout(1)
            trace.append((env.now, "process", None))

    spawn(3)
    env.process(process())
    if n_ticks:
        if fast:
            env.schedule_tick(0, on_tick)
        else:
            env.timeout(0).callbacks.append(lambda _event: on_tick())
    env.run()
    return trace


@settings(max_examples=200, deadline=None)
@given(plan=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), min_size=1, max_size=40),
       tick_dt=st.sampled_from([1, 2, 0.5]), n_ticks=st.integers(0, 12))
def test_callbacks_and_ticks_run_in_simpys_order(plan, tick_dt, n_ticks):
    reference = _simulate(simpy.Environment(), plan, tick_dt, n_ticks, fast=False)
    assert _simulate(DialerEnvironment(), plan, tick_dt, n_ticks, fast=True) == reference


def test_a_tick_on_the_instant_of_an_event_keeps_the_order_it_was_scheduled_in():
    env = DialerEnvironment()
    seen = []
    env.call_later(2.0, lambda _value: seen.append("event scheduled first"))
    env.schedule_tick(2.0, lambda: seen.append("tick"))
    env.call_later(2.0, lambda _value: seen.append("event scheduled after"))
    assert env.peek() == 2.0
    env.run()
    assert seen == ["event scheduled first", "tick", "event scheduled after"]
    assert env.now == 2.0


def test_the_callback_sees_its_value():
    env = DialerEnvironment()
    got = []
    env.call_later(1.5, lambda value: got.append((env.now, value)), ("call", 7))
    env.run()
    assert got == [(1.5, ("call", 7))]


def test_a_pending_tick_counts_in_peek_and_keeps_the_run_going():
    env = DialerEnvironment()
    ran = []
    env.schedule_tick(3.0, lambda: ran.append(env.now))
    assert env.peek() == env.tick_pending_at_s == 3.0
    env.run()  # the queue is empty: the tick alone runs
    assert ran == [3.0]
    assert env.peek() == float("inf")


def test_bad_schedules_are_refused():
    env = DialerEnvironment()
    with pytest.raises(ValueError, match="Negative delay"):
        env.call_later(-1.0, print)
    with pytest.raises(ValueError, match="delay_s must be >= 0"):
        env.schedule_tick(-1.0, print)
    env.schedule_tick(1.0, print)
    with pytest.raises(RuntimeError, match="already pending"):
        env.schedule_tick(2.0, print)


def test_run_until_an_instant_stops_there_and_resumes_in_order():
    env = DialerEnvironment()
    seen = []
    for t in (1.0, 2.0, 3.0):
        env.call_later(t, lambda value: seen.append((env.now, value)), t)
    env.schedule_tick(2.5, lambda: seen.append((env.now, "tick")))
    env.run(until=2.2)
    assert (env.now, seen) == (2.2, [(1.0, 1.0), (2.0, 2.0)])
    env.run()
    assert seen == [(1.0, 1.0), (2.0, 2.0), (2.5, "tick"), (3.0, 3.0)]


def test_an_error_inside_a_callback_reaches_the_caller_of_run():
    """The empty-queue test (an IndexError from the heap's pop) must not swallow one that a callback raises."""
    env = DialerEnvironment()
    env.call_later(1.0, lambda _value: [][0])
    with pytest.raises(IndexError):
        env.run()


def test_a_failed_process_crashes_the_run_as_in_simpy():
    env = DialerEnvironment()

    def fails():
        yield env.timeout(1)
        raise KeyError("boom")

    env.process(fails())
    with pytest.raises(KeyError, match="boom"):
        env.run()
