"""Where the dialer's next number comes from: the :class:`NumberSource` interface and the plain campaign list.

The model (:class:`~dialer_sim.model.CampaignModel`) owns the clock, the lines,
the agents and the pacing policy; a number source owns the numbers. Three
sources exist:

- :class:`SingleList` (this module): one list dialled in order, a fixed gap
  before each retry, up to ``campaign.max_attempts``;
- :class:`~dialer_sim.model._list_campaign.ListCampaign`: a multi-day list campaign
  with a population, caller IDs, calling rules and list hygiene;
- :class:`~dialer_sim.model.OpenLoopArrivals`: Poisson answers straight to
  the agents, no dialer (the queueing validation).

Writing a new source
--------------------
Subclass :class:`QueuedNumbers` when the numbers wait in a queue for the pacing
policy (as every dialled list does) and implement :meth:`~NumberSource.dial`
and :meth:`~NumberSource.after_attempt`; call :meth:`QueuedNumbers.retry_at`
to put a number back. ``dial`` places the attempt with the model's line API:

- ``model.new_call(number_id, attempt, caller_id)`` starts a :class:`~dialer_sim.model.Call`
  (a line counted as ringing);
- ``model.network_fails(call)`` draws the network outcome and ends busy,
  unobtainable (and rejected) attempts; it returns True when the attempt ended;
- ``model.end_unanswered(call, outcome)`` ends it unanswered (``no_answer``,
  ``rejected``, ``unobtainable``, ``busy``) after that outcome's ring or tone time;
- ``model.answer(call, kind)`` lets answer kind ``kind`` pick up after its answer delay.

Conventions
-----------
Times are seconds on the model's clock. Every source draws only from its own
streams or through the model's line API, in a fixed order per attempt, so
results stay a pure function of config and seed.
"""

from __future__ import annotations

import heapq
import math
from abc import ABC, abstractmethod
from collections import deque

from ._call import Call
from ._draws import Block

__all__ = ["NumberSource", "QueuedNumbers", "SingleList"]

INF = math.inf
#: Dispositions after which :class:`SingleList` does not dial a number again.
FINAL_DISPOSITIONS = frozenset({"human_to_agent", "unobtainable"})


class NumberSource(ABC):
    """The interface between the model and whatever supplies its calls.

    Attributes
    ----------
    paced : bool
        True when the pacing policy places this source's attempts: the model runs
        shifts and controller ticks, feeds every ended attempt to the policy and
        to :meth:`after_attempt`. False for a source that injects answered calls
        by itself (open loop).
    """

    paced: bool = True

    def start(self) -> None:
        """Start the source's own SimPy processes (arrivals, daily snapshots); default: none."""
        return

    def clip_to_window(self, day: int, start_s: float, end_s: float) -> tuple[float, float] | None:
        """The part of day ``day``'s shift ``[start_s, end_s)`` in which this source may be dialled, or None."""
        return start_s, end_s

    @abstractmethod
    def n_ready(self, now_s: float) -> int:
        """How many numbers could be dialled at ``now_s`` (the pacing policy's ``n_numbers_left``)."""

    @abstractmethod
    def dial_next(self) -> None:
        """Place one attempt now on the next ready number (only called when :meth:`n_ready` > 0)."""

    def next_due_s(self) -> float:
        """When the next number not ready now becomes ready (``inf``: none); the model wakes then."""
        return INF

    @abstractmethod
    def exhausted(self) -> bool:
        """True when no number can ever become ready again (attempts still in flight aside)."""

    def after_attempt(self, call: Call, disposition: str, seen_as: str, end_s: float) -> None:
        """An attempt ended: ``disposition`` is the truth, ``seen_as`` what the dialer observed; default: nothing."""
        return

    def screened_person_accepts(self) -> bool:
        """A screening assistant's call reached an agent: does it ring its person through? Default: no person."""
        return False


class QueuedNumbers(NumberSource):
    """A source whose numbers queue for the pacing policy: fresh numbers in order, then due retries first.

    Parameters
    ----------
    dial_list : list of int
        The fresh numbers in dialling order.
    """

    def __init__(self, dial_list: list[int]):
        self._fresh = 0               # fresh numbers dialled so far
        self._ready: deque = deque()  # (number_id, attempt) due now, dialled before fresh numbers
        # Retries not yet due: the distinct due instants in a heap of floats, and the (number_id, attempt) due
        # at each. They move to the ready queue in (due_s, number_id, attempt) order, as from one heap of
        # tuples; a heap of floats compares about three times cheaper, and the heap holds tens of thousands.
        self._retry_heap: list[float] = []
        self._retry_due: dict[float, list[tuple[int, int]]] = {}
        self._due_s = INF             # the heap's earliest due time (inf: empty)
        self.dial_list = dial_list    # sets _n_left

    # n_ready, next_due_s and exhausted run several times per dial: they read two counters kept up to date
    # (_n_left, _due_s) instead of measuring the queues each time.
    @property
    def dial_list(self) -> list[int]:
        """The fresh numbers in dialling order (a source may narrow it before the run starts)."""
        return self._dial_list

    @dial_list.setter
    def dial_list(self, numbers: list[int]) -> None:
        self._dial_list = numbers
        self._n_left = len(numbers) - self._fresh + len(self._ready)  # fresh numbers left plus ready retries

    def n_ready(self, now_s: float) -> int:
        if self._due_s <= now_s:
            self._move_due(now_s)
        return self._n_left

    def _move_due(self, now_s: float) -> None:
        """Move the retries due at ``now_s`` from the heap to the ready queue."""
        heap, ready, due = self._retry_heap, self._ready, self._retry_due
        while heap and heap[0] <= now_s:
            numbers = due.pop(heapq.heappop(heap))
            if len(numbers) > 1:
                numbers.sort()
            ready.extend(numbers)
            self._n_left += len(numbers)
        self._due_s = heap[0] if heap else INF

    def dial_next(self) -> None:
        self._n_left -= 1
        if self._ready:
            number_id, attempt = self._ready.popleft()
        else:
            number_id, attempt = self._dial_list[self._fresh], 1
            self._fresh += 1
        self.dial(number_id, attempt)

    @abstractmethod
    def dial(self, number_id: int, attempt: int) -> None:
        """Place attempt ``attempt`` on ``number_id`` now, through the model's line API."""

    def retry_at(self, due_s: float, number_id: int, attempt: int) -> None:
        """Put ``number_id`` back: attempt ``attempt`` becomes ready at ``due_s``."""
        numbers = self._retry_due.get(due_s)
        if numbers is not None:
            numbers.append((number_id, attempt))
            return
        self._retry_due[due_s] = [(number_id, attempt)]
        heapq.heappush(self._retry_heap, due_s)
        if due_s < self._due_s:
            self._due_s = due_s

    def next_due_s(self) -> float:
        return self._due_s

    def exhausted(self) -> bool:
        return self._n_left == 0 and not self._retry_heap


class SingleList(QueuedNumbers):
    """One campaign list: each number is dialled until it reaches an agent, is unobtainable, or hits
    ``campaign.max_attempts``, with ``campaign.retry_gap_s`` between attempts.

    Who answers is drawn from ``answer.p_pickup`` and ``answer.kind_weights`` on the ``parties`` stream.
    """

    def __init__(self, model, streams, dial_list: list[int]):
        super().__init__(dial_list)
        cfg = model.cfg
        self.model = model
        self._caller_id = cfg.campaign.caller_id
        self._max_attempts = cfg.campaign.max_attempts
        self._retry_gap_s = cfg.campaign.retry_gap_s
        self._p_pickup = cfg.answer.p_pickup
        self._u_party = Block.uniform(streams["parties"])
        weights = {k: w for k, w in cfg.answer.kind_weights.items() if w > 0}
        total = sum(weights.values())
        acc, self._kind_cum = 0.0, []
        for k, w in weights.items():
            acc += w / total
            self._kind_cum.append((acc, k))

    def dial(self, number_id: int, attempt: int) -> None:
        m = self.model
        call = m.new_call(number_id, attempt, self._caller_id)
        if m.network_fails(call):
            return
        if self._u_party() >= self._p_pickup:
            m.end_unanswered(call, "no_answer")
        else:
            m.answer(call, self._draw_kind())

    def _draw_kind(self) -> str:
        u = self._u_party()
        for acc, k in self._kind_cum:
            if u < acc:
                return k
        return self._kind_cum[-1][1]

    def after_attempt(self, call: Call, disposition: str, seen_as: str, end_s: float) -> None:
        if disposition not in FINAL_DISPOSITIONS and call.attempt < self._max_attempts:
            self.retry_at(end_s + self._retry_gap_s, call.number_id, call.attempt + 1)
