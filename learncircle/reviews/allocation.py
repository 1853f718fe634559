"""Fair reviewer allocation as pure functions: who reviews which submission (no database here).

`allocate` solves a minimum-cost flow from submissions to reviewers. Each reviewer's next review
costs more than their last (a convex cost), so the cheapest flow spreads the work as evenly as the
constraints allow; a pairing the circle has seen before costs a penalty that is always smaller
than any imbalance, and a tiny random cost breaks ties so rounds do not repeat the same pattern.
The three costs are scaled so that they never trade against each other: balance first, then fresh
pairings, then chance.
"""
import heapq
import random
from collections import Counter
from dataclasses import dataclass, field

# Random tie-breaking costs lie in [0, NOISE).
NOISE = 16


@dataclass(frozen=True)
class Allocation:
    """New (submission_id, reviewer_id) pairs, and what could not be done, in plain words."""

    assignments: list = field(default_factory=list)
    shortfalls: list = field(default_factory=list)


def allocate(submissions, reviewers, k, past_pairs=frozenset(), existing=(), seed=None):
    """Give each submission k reviewers, balanced, never its author, avoiding past pairs if possible.

    submissions: (submission_id, author_id) pairs; reviewers: user ids (the pool); past_pairs:
    (reviewer_id, author_id) pairs from earlier rounds; existing: (submission_id, reviewer_id)
    pairs already made, which are kept and counted. Returns only the new pairs.
    """
    if k < 1:
        raise ValueError("Each submission needs at least one reviewer.")
    rng = random.Random(seed)
    submissions = list(dict(submissions).items())  # one entry per submission id
    reviewers = list(dict.fromkeys(reviewers))
    past_pairs, existing = set(past_pairs), set(existing)
    if not submissions:
        return Allocation([], [])
    if not reviewers:
        return Allocation([], ["There were no reviewers, so no submission could be allocated."])
    rng.shuffle(submissions)
    rng.shuffle(reviewers)

    already = Counter(submission_id for submission_id, _ in existing)
    base_load = Counter(reviewer_id for _, reviewer_id in existing)
    choices = {}
    for submission_id, author_id in submissions:
        eligible = [r for r in reviewers if r != author_id and (submission_id, r) not in existing]
        choices[submission_id] = eligible
    need = {sid: max(0, min(k - already[sid], len(choices[sid]))) for sid, _ in submissions}
    total = sum(need.values())

    pair_cost = total * NOISE + 1
    load_cost = total * (pair_cost + NOISE) + 1
    authors = dict(submissions)
    flow = _BalancedFlow(
        [sid for sid, _ in submissions], reviewers, need,
        {(sid, r): (pair_cost if (r, authors[sid]) in past_pairs else 0) + rng.randrange(NOISE)
         for sid, eligible in choices.items() for r in eligible},
        {r: base_load[r] for r in reviewers}, load_cost,
    )
    pairs = flow.solve(total)
    rng.shuffle(pairs)

    got = Counter(already)
    got.update(sid for sid, _ in pairs)
    loads = Counter({r: base_load[r] for r in reviewers})
    loads.update(r for _, r in pairs)
    shortfalls = _describe_shortfalls([sid for sid, _ in submissions], got, k, loads)
    repeated = sum(1 for sid, r in pairs if (r, authors[sid]) in past_pairs)
    if repeated:
        shortfalls.append(
            f"{_count(repeated, 'pairing repeats', 'pairings repeat')} a reviewer and an author from an "
            "earlier round: with loads kept even, no fresh pairing was possible."
        )
    return Allocation(pairs, shortfalls)


def allocate_late(submission_id, author_id, reviewers, current_loads, k, past_pairs=frozenset(), seed=None):
    """Pick the k least-loaded reviewers (not the author) for a submission that arrived late."""
    rng = random.Random(seed)
    eligible = [r for r in dict.fromkeys(reviewers) if r != author_id]
    rng.shuffle(eligible)
    eligible.sort(key=lambda r: (current_loads.get(r, 0), (r, author_id) in past_pairs))
    chosen = eligible[:k]
    shortfalls = []
    if len(chosen) < k:
        shortfalls.append(f"A late submission got {_count(len(chosen), 'reviewer')} instead of {k}: "
                          "there were not enough other people.")
    return Allocation([(submission_id, r) for r in chosen], shortfalls)


def late_reviewer_work(author_id, submissions, loads, past_pairs=frozenset(), seed=None):
    """Give a late author as many reviews as the least-loaded other reviewer has, so loads stay even.

    submissions: (submission_id, author_id, reviewer_ids) for the round so far; loads: reviewer id
    -> current count for the whole pool (the late author included). Submissions with the fewest
    reviewers come first, then those whose author this reviewer has not reviewed before.
    """
    others = [load for reviewer, load in loads.items() if reviewer != author_id]
    wanted = max(0, (min(others) if others else 0) - loads.get(author_id, 0))
    rng = random.Random(seed)
    open_to_them = [(sid, author, len(current)) for sid, author, current in submissions
                    if author != author_id and author_id not in current]
    rng.shuffle(open_to_them)
    open_to_them.sort(key=lambda item: (item[2], (author_id, item[1]) in past_pairs))
    return Allocation([(sid, author_id) for sid, _, _ in open_to_them[:wanted]], [])


def _describe_shortfalls(submission_ids, got, k, loads):
    messages = []
    short = Counter(got[sid] for sid in submission_ids if got[sid] < k)
    for count, how_many in sorted(short.items()):
        if how_many == len(submission_ids):
            subject = "each submission" if how_many > 1 else "the submission"
            if count == 0:
                messages.append(f"No reviewer was available for {subject}.")
            else:
                messages.append(f"Only {_count(count, 'reviewer was', 'reviewers were')} available for "
                                f"{subject} instead of {k}.")
        elif count == 0:
            messages.append(f"{_count(how_many, 'submission')} got no reviewer.")
        else:
            messages.append(f"{_count(how_many, 'submission')} got only {_count(count, 'reviewer')} "
                            f"instead of {k}.")
    if loads and max(loads.values()) - min(loads.values()) > 1:
        messages.append(f"Reviewer loads could not be balanced: some have {min(loads.values())} reviews "
                        f"to do, others {max(loads.values())}.")
    return messages


def _count(n, singular, plural=None):
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


class _BalancedFlow:
    """Min-cost flow source -> submissions -> reviewers -> sink with a convex cost per reviewer.

    Successive shortest paths with Dijkstra on reduced costs. The reviewer -> sink arc is kept
    implicit: sending one more unit through reviewer r costs load_cost * (their new load), and
    taking one back refunds the cost of their current load, which is exactly the cheapest of the
    parallel unit arcs a convex cost expands to.
    """

    def __init__(self, submission_ids, reviewer_ids, need, arc_costs, base_load, load_cost):
        self.submission_ids, self.reviewer_ids = submission_ids, reviewer_ids
        n, m = len(submission_ids), len(reviewer_ids)
        self.source, self.sink = 0, n + m + 1
        self.size = n + m + 2
        self.load_cost = load_cost
        self.node_of_reviewer = {r: n + 1 + i for i, r in enumerate(reviewer_ids)}
        self.base = [0] * self.size
        self.added = [0] * self.size
        for r, node in self.node_of_reviewer.items():
            self.base[node] = base_load[r]
        # Arcs as parallel lists; arc i and i ^ 1 are each other's residual twin.
        self.head, self.cap, self.cost = [], [], []
        self.out = [[] for _ in range(self.size)]
        for i, sid in enumerate(submission_ids):
            if need[sid]:
                self._arc(self.source, i + 1, need[sid], 0)
        node_of_submission = {sid: i + 1 for i, sid in enumerate(submission_ids)}
        for (sid, r), cost in arc_costs.items():
            self._arc(node_of_submission[sid], self.node_of_reviewer[r], 1, cost)

    def _arc(self, a, b, capacity, cost):
        for tail, head, room, price in ((a, b, capacity, cost), (b, a, 0, -cost)):
            self.out[tail].append(len(self.head))
            self.head.append(head)
            self.cap.append(room)
            self.cost.append(price)

    def solve(self, units):
        potential = [0] * self.size
        for _ in range(units):
            dist, previous = self._shortest_paths(potential)
            if dist[self.sink] is None:
                break
            for v in range(self.size):
                if dist[v] is not None:
                    potential[v] += dist[v]
            self._augment(previous)
        return self._pairs()

    def _shortest_paths(self, potential):
        dist = [None] * self.size
        previous = [None] * self.size
        dist[self.source] = 0
        queue = [(0, self.source)]
        reviewer_nodes = self.node_of_reviewer.values()
        while queue:
            d, u = heapq.heappop(queue)
            if d > dist[u]:
                continue
            steps = [(self.head[a], self.cost[a], a) for a in self.out[u] if self.cap[a] > 0]
            if u == self.sink:
                steps += [(v, -self.load_cost * (self.base[v] + self.added[v]), "back")
                          for v in reviewer_nodes if self.added[v] > 0]
            elif u > len(self.submission_ids):
                steps.append((self.sink, self.load_cost * (self.base[u] + self.added[u] + 1), "on"))
            for v, cost, via in steps:
                candidate = d + cost + potential[u] - potential[v]
                if dist[v] is None or candidate < dist[v]:
                    dist[v] = candidate
                    previous[v] = (u, via)
                    heapq.heappush(queue, (candidate, v))
        return dist, previous

    def _augment(self, previous):
        v = self.sink
        while v != self.source:
            u, via = previous[v]
            if via == "on":
                self.added[u] += 1
            elif via == "back":
                self.added[v] -= 1
            else:
                self.cap[via] -= 1
                self.cap[via ^ 1] += 1
            v = u

    def _pairs(self):
        reviewer_of_node = {node: r for r, node in self.node_of_reviewer.items()}
        pairs = []
        for i, sid in enumerate(self.submission_ids):
            for a in self.out[i + 1]:
                target = self.head[a]
                if target in reviewer_of_node and a % 2 == 0 and self.cap[a] == 0:
                    pairs.append((sid, reviewer_of_node[target]))
        return pairs
