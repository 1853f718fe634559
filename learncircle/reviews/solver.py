"""Fair reviewer allocation as pure functions: who reviews which submission (no database here).

`allocate` solves a minimum-cost flow from submissions to reviewers, with three kinds of cost that
never trade against each other: first as many reviews as the hard rules allow (nobody reviews their
own work, the same submission twice, or an author they are kept apart from), then loads as even as
possible (each reviewer's next review costs more than their last, a convex cost), then as few
pairings the circle has seen before as possible. Chance (a seeded shuffle) decides among equally
good answers, so rounds do not repeat the same pattern.

The flow is solved by successive shortest paths, which stays exact, but is made fast for the
graphs a round gives: nearly every submission could go to nearly every reviewer. Arcs are never
listed; a submission's few exceptions (its author, earlier and kept-apart pairings, reviewers it
already has) are. Most reviews are placed along a direct path of zero reduced cost, in constant
time, and the shortest-path search runs only when no such path is left: when every reviewer has
reached the same load, or when the last reviewers at a load cannot take the last submissions. In
that search, reviewers with the same potential are reached together ("offers"), so one search costs
about what the submissions' exceptions cost, not submissions × reviewers.
"""
import heapq
import random
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field

from .shortfalls import Shortfall, say

_SUBMISSION, _OFFER, _REVIEWER, _SINK = 0, 1, 2, 3


@dataclass(frozen=True)
class Allocation:
    """New (submission_id, reviewer_id) pairs, and what could not be done (Shortfall: a kind and its numbers)."""

    assignments: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def shortfalls(self):
        """What could not be done, in words (in the current language)."""
        return [say(note) for note in self.notes]


def allocate(submissions, reviewers, k, past_pairs=frozenset(), existing=(), seed=None, apart=frozenset()):
    """Give each submission k reviewers, balanced, never its author, avoiding past pairs if possible.

    submissions: (submission_id, author_id) pairs; reviewers: user ids (the pool); past_pairs:
    (reviewer_id, author_id) pairs from earlier rounds, avoided where loads stay as even; apart:
    (reviewer_id, author_id) pairs that are never made, whatever it costs; existing:
    (submission_id, reviewer_id) pairs already made, which are kept and counted. Returns only the
    new pairs.
    """
    if k < 1:
        raise ValueError("Each submission needs at least one reviewer.")
    rng = random.Random(seed)
    submissions = list(dict(submissions).items())  # one entry per submission id
    reviewers = list(dict.fromkeys(reviewers))
    if not submissions:
        return Allocation([], [])
    if not reviewers:
        return Allocation([], [Shortfall("no_reviewers", {})])
    rng.shuffle(submissions)
    rng.shuffle(reviewers)

    index = {reviewer: j for j, reviewer in enumerate(reviewers)}
    existing = set(existing)
    already = Counter(sid for sid, _ in existing)
    base = [0] * len(reviewers)
    reviewing = defaultdict(set)
    for sid, reviewer in existing:
        if reviewer in index:
            base[index[reviewer]] += 1
            reviewing[sid].add(index[reviewer])
    earlier, kept_apart = _by_author(past_pairs, index), _by_author(apart, index)

    blocked, past, need, apart_short = [], [], [], set()
    for sid, author in submissions:
        no = set(reviewing[sid]) | kept_apart.get(author, set())
        if author in index:
            no.add(index[author])
        blocked.append(no)
        past.append(earlier.get(author, set()) - no)
        need.append(max(0, min(k - already[sid], len(reviewers) - len(no))))
        if already[sid] + need[-1] < k and kept_apart.get(author, set()) - reviewing[sid]:
            apart_short.add(sid)

    solver = _Solver(need, blocked, past, base, rng)
    solver.solve()
    pairs = [(submissions[i][0], reviewers[j]) for i, held in enumerate(solver.held) for j in held]
    rng.shuffle(pairs)

    got = Counter(already)
    got.update(sid for sid, _ in pairs)
    loads = dict(zip(reviewers, solver.load))
    shortfalls = _describe_shortfalls([sid for sid, _ in submissions], got, k, loads)
    short_by_apart = [sid for sid in apart_short if got[sid] < k]
    if short_by_apart:
        shortfalls.append(Shortfall("apart_short", {"submissions": len(short_by_apart)}))
    if kept_apart and max(loads.values()) - min(loads.values()) > 1:
        shortfalls.append(Shortfall("apart_uneven", {}))
    authors = dict(submissions)
    repeated = sum(1 for sid, r in pairs if (r, authors[sid]) in past_pairs)
    if repeated:
        shortfalls.append(Shortfall("repeats", {"pairings": repeated}))
    return Allocation(pairs, shortfalls)


def allocate_late(submission_id, author_id, reviewers, current_loads, k, past_pairs=frozenset(), seed=None,
                  apart=frozenset()):
    """Pick the k least-loaded reviewers (not the author, nobody kept apart from them) for a late submission."""
    rng = random.Random(seed)
    eligible = [r for r in dict.fromkeys(reviewers) if r != author_id and (r, author_id) not in apart]
    rng.shuffle(eligible)
    eligible.sort(key=lambda r: (current_loads.get(r, 0), (r, author_id) in past_pairs))
    chosen = eligible[:k]
    shortfalls = []
    if len(chosen) < k:
        by_apart = any(r != author_id and (r, author_id) in apart for r in reviewers)
        shortfalls.append(Shortfall("late_short_apart" if by_apart else "late_short",
                                    {"reviewers": len(chosen), "wanted": k}))
    return Allocation([(submission_id, r) for r in chosen], shortfalls)


def late_reviewer_work(author_id, submissions, loads, past_pairs=frozenset(), seed=None, apart=frozenset()):
    """Give a late author as many reviews as the least-loaded other reviewer has, so loads stay even.

    submissions: (submission_id, author_id, reviewer_ids) for the round so far; loads: reviewer id
    -> current count for the whole pool (the late author included). Submissions with the fewest
    reviewers come first, then those whose author this reviewer has not reviewed before; work by
    an author they are kept apart from is never given.
    """
    others = [load for reviewer, load in loads.items() if reviewer != author_id]
    wanted = max(0, (min(others) if others else 0) - loads.get(author_id, 0))
    rng = random.Random(seed)
    open_to_them = [(sid, author, len(current)) for sid, author, current in submissions
                    if author != author_id and author_id not in current and (author_id, author) not in apart]
    rng.shuffle(open_to_them)
    open_to_them.sort(key=lambda item: (item[2], (author_id, item[1]) in past_pairs))
    return Allocation([(sid, author_id) for sid, _, _ in open_to_them[:wanted]], [])


def _by_author(pairs, index):
    """(reviewer, author) pairs as author -> set of reviewer positions in the pool."""
    grouped = defaultdict(set)
    for reviewer, author in pairs:
        if reviewer in index:
            grouped[author].add(index[reviewer])
    return grouped


def _describe_shortfalls(submission_ids, got, k, loads):
    notes = []
    short = Counter(got[sid] for sid in submission_ids if got[sid] < k)
    for count, how_many in sorted(short.items()):
        if how_many == len(submission_ids):
            # Every submission fell short alike: said of "the submission" when the round has one, else of "each".
            alone = how_many == 1
            if count == 0:
                notes.append(Shortfall("none_for_the_submission" if alone else "none_for_each_submission", {}))
            else:
                notes.append(Shortfall("only_for_the_submission" if alone else "only_for_each_submission",
                                       {"reviewers": count, "wanted": k}))
        elif count == 0:
            notes.append(Shortfall("got_none", {"submissions": how_many}))
        else:
            notes.append(Shortfall("got_only", {"submissions": how_many, "reviewers": count, "wanted": k}))
    if loads and max(loads.values()) - min(loads.values()) > 1:
        notes.append(Shortfall("loads_uneven", {"fewest": min(loads.values()), "most": max(loads.values())}))
    return notes


class _Solver:
    """Min-cost flow source -> submissions -> reviewers -> sink, over arcs that are never listed.

    A submission i may go to any reviewer except those in blocked[i] and those it already holds;
    the arc costs 1 to a reviewer in past[i], else 0. A reviewer's next review costs `unit` times
    their load after it, where unit exceeds any total of past costs, so evenness always comes first.
    Potentials keep every reduced cost non-negative (Johnson), and a path whose arcs all have
    reduced cost 0 is a shortest one: such paths of one submission and one reviewer are taken
    directly, and a search (Dijkstra, stopped at the sink) runs only when none is left.
    """

    def __init__(self, need, blocked, past, base, rng):
        self.rem, self.blocked, self.past = list(need), blocked, past
        self.n, self.m = len(need), len(base)
        self.held = [set() for _ in range(self.n)]
        self.holders = [set() for _ in range(self.m)]
        self.load = list(base)
        self.unit = sum(need) + 1
        self.ps, self.pr, self.pt = [0] * self.n, [0] * self.m, 0
        self.rng = rng
        self.ready = {}  # potential (0 or 1) -> reviewers whose next review has reduced cost 0, in random order

    def solve(self):
        while any(self.rem):
            self._direct()
            if not any(self.rem):
                break
            path = self._search()
            if path is None:
                break  # no reviewer can take any more: the rest are shortfalls
            self._augment(path)

    # ---- direct paths -------------------------------------------------------------------------

    def _refresh_ready(self):
        self.ready = {0: {}, 1: {}}
        order = list(range(self.m))
        self.rng.shuffle(order)
        for j in order:
            if self.pr[j] in self.ready and self._sink_cost(j) == 0:
                self.ready[self.pr[j]][j] = None

    def _sink_cost(self, j):
        return self.unit * (self.load[j] + 1) + self.pr[j] - self.pt

    def _direct(self):
        """Place reviews along zero-cost paths: the submissions needing most first, round-robin."""
        fresh, again = self.ready.get(0, {}), self.ready.get(1, {})
        if not fresh and not again:
            return
        queues = defaultdict(deque)
        for i in range(self.n):
            if self.rem[i]:
                queues[self.rem[i]].append(i)
        top = max(queues, default=0)
        while top and (fresh or again):
            if not queues[top]:
                top -= 1
                continue
            i = queues[top].popleft()
            j = self._direct_reviewer(i, fresh, again)
            if j is None:
                continue  # no zero-cost path for i until the potentials change
            self._take(i, j)
            self.rem[i] -= 1
            fresh.pop(j, None)
            again.pop(j, None)
            if self.rem[i]:
                queues[self.rem[i]].append(i)

    def _direct_reviewer(self, i, fresh, again):
        blocked, past, held = self.blocked[i], self.past[i], self.held[i]
        for j in fresh:  # a potential of 0, like every submission still needing reviews: reduced cost 0
            if j not in blocked and j not in past and j not in held:
                return j
        for j in past:  # cost 1, balanced by a potential of 1
            if j in again and j not in held:
                return j
        return None

    def _take(self, i, j):
        self.held[i].add(j)
        self.holders[j].add(i)
        self.load[j] += 1

    def _give_back(self, i, j):
        self.held[i].discard(j)
        self.holders[j].discard(i)
        self.load[j] -= 1

    # ---- shortest paths -----------------------------------------------------------------------

    def _search(self):
        """Dijkstra on reduced costs; update the potentials; return the path's end, or None."""
        infinite = float("inf")
        dist_s, dist_r, dist_t = [infinite] * self.n, [infinite] * self.m, infinite
        done_s, done_r = bytearray(self.n), bytearray(self.m)
        pred_s, pred_r, pred_t = [-1] * self.n, [-1] * self.m, -1
        groups = defaultdict(list)
        for j in range(self.m):
            groups[self.pr[j]].append(j)
        heap = []
        for i in range(self.n):
            if self.rem[i]:
                dist_s[i] = 0
                heap.append((0, _SUBMISSION, i, 0))
        heapq.heapify(heap)
        ps, pr, unit, pt = self.ps, self.pr, self.unit, self.pt

        def reached(j, d):
            nonlocal dist_t, pred_t
            done_r[j] = 1
            to_sink = d + unit * (self.load[j] + 1) + pr[j] - pt
            if to_sink < dist_t:
                dist_t, pred_t = to_sink, j
                heapq.heappush(heap, (to_sink, _SINK, 0, 0))
            for i in self.holders[j]:
                if not done_s[i]:
                    back = d - (1 if j in self.past[i] else 0) + pr[j] - ps[i]
                    if back < dist_s[i]:
                        dist_s[i], pred_s[i] = back, j
                        heapq.heappush(heap, (back, _SUBMISSION, i, 0))

        while heap:
            d, kind, a, b = heapq.heappop(heap)
            if kind == _SINK:
                break
            if kind == _SUBMISSION:
                if done_s[a]:
                    continue
                done_s[a] = 1
                key = d + ps[a]
                for potential, members in groups.items():
                    if members:
                        heapq.heappush(heap, (key - potential, _OFFER, potential, a))
                held = self.held[a]
                for j in self.past[a]:
                    if not done_r[j] and j not in held:
                        through = key + 1 - pr[j]
                        if through < dist_r[j]:
                            dist_r[j], pred_r[j] = through, a
                            heapq.heappush(heap, (through, _REVIEWER, j, 0))
            elif kind == _OFFER:
                # The cheapest way yet to every reviewer of this potential: fresh arcs from submission b.
                blocked, past, held = self.blocked[b], self.past[b], self.held[b]
                waiting = []
                for j in groups[a]:
                    if done_r[j]:
                        continue
                    if j in blocked or j in past or j in held or dist_r[j] < d:
                        waiting.append(j)
                        continue
                    dist_r[j], pred_r[j] = d, b
                    reached(j, d)
                groups[a] = waiting
            elif not done_r[a]:
                reached(a, d)
        if pred_t < 0:
            return None
        for i in range(self.n):
            ps[i] += min(dist_s[i], dist_t)
        for j in range(self.m):
            pr[j] += min(dist_r[j], dist_t)
        self.pt += dist_t
        path = (pred_t, pred_r, pred_s)
        self._refresh_ready()
        return path

    def _augment(self, path):
        j, pred_r, pred_s = path
        self.ready.get(self.pr[j], {}).pop(j, None)
        while True:
            i = pred_r[j]
            self._take(i, j)
            previous = pred_s[i]
            if previous < 0:
                self.rem[i] -= 1
                return
            self._give_back(i, previous)
            j = previous
