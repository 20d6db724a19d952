"""The batch proposal is optimal: checked against brute force on small random wards."""
from __future__ import annotations

import itertools
import time

import numpy as np
import pytest

from app.matching.optimize import optimal_pairs
from app.matching.scoring import MAX_SCORE, load_points


def objective(pairs, base, load, capacity):
    """(requests served, total score): each volunteer's k-th new request is worth the load
    points of load + k — the objective the proposal maximises, in that order."""
    per_volunteer: dict[int, int] = {}
    total = 0
    for r, v in pairs:
        total += int(base[r, v]) + int(load_points(load[v] + per_volunteer.get(v, 0),
                                                   capacity[v]))
        per_volunteer[v] = per_volunteer.get(v, 0) + 1
    return len(pairs), total


def brute_force(eligible, base, load, capacity):
    n_req, n_vol = eligible.shape
    best = (0, 0)
    options = [[None] + [v for v in range(n_vol) if eligible[r, v]] for r in range(n_req)]
    for choice in itertools.product(*options):
        used = np.bincount([v for v in choice if v is not None], minlength=n_vol)
        if np.any(load + used > capacity):
            continue
        pairs = [(r, v) for r, v in enumerate(choice) if v is not None]
        best = max(best, objective(pairs, base, load, capacity))
    return best


def random_case(rng, n_req, n_vol):
    eligible = rng.random((n_req, n_vol)) < rng.uniform(0.3, 0.9)
    base = rng.integers(0, MAX_SCORE - 20 + 1, size=(n_req, n_vol))
    capacity = rng.integers(0, 4, size=n_vol)
    load = np.minimum(rng.integers(0, 3, size=n_vol), capacity)
    return eligible, base, load, capacity


@pytest.mark.parametrize("seed", range(150))
def test_proposal_total_equals_the_brute_force_optimum(seed):
    rng = np.random.default_rng(seed)
    eligible, base, load, capacity = random_case(rng, int(rng.integers(1, 7)),
                                                 int(rng.integers(1, 4)))
    pairs = optimal_pairs(eligible, base, load, capacity)

    assert len({r for r, _v in pairs}) == len(pairs)  # a request gets one volunteer
    assert all(eligible[r, v] for r, v in pairs)
    used = np.bincount([v for _r, v in pairs], minlength=len(capacity))
    assert np.all(load + used <= capacity)  # nobody over their weekly capacity
    assert objective(pairs, base, load, capacity) == brute_force(eligible, base, load, capacity)


@pytest.mark.parametrize("seed", range(40))
def test_sparse_solver_finds_the_same_optimum_as_the_dense_one(seed):
    rng = np.random.default_rng(1000 + seed)
    eligible, base, load, capacity = random_case(rng, int(rng.integers(1, 9)),
                                                 int(rng.integers(1, 5)))
    dense = optimal_pairs(eligible, base, load, capacity)
    sparse = optimal_pairs(eligible, base, load, capacity, dense_limit=0)
    assert objective(sparse, base, load, capacity) == objective(dense, base, load, capacity)
    used = np.bincount([v for _r, v in sparse], minlength=len(capacity))
    assert np.all(load + used <= capacity)


def test_serving_one_more_resident_beats_a_better_score():
    # Minh fits the first request perfectly, but only Lan can take the second one.
    eligible = np.array([[True, True], [True, False]])
    base = np.array([[10, 60], [60, 0]])
    pairs = optimal_pairs(eligible, base, np.array([0, 0]), np.array([1, 1]))
    assert pairs == [(0, 1), (1, 0)]


def test_load_spreads_work_over_volunteers():
    # Equal fit everywhere: two volunteers with room for two each share the four requests.
    eligible = np.ones((4, 2), dtype=bool)
    pairs = optimal_pairs(eligible, np.full((4, 2), 30), np.array([0, 0]), np.array([3, 3]))
    assert sorted(np.bincount([v for _r, v in pairs])) == [2, 2]


def test_a_ward_of_2000_requests_and_500_volunteers_is_matched_quickly():
    rng = np.random.default_rng(7)
    n_req, n_vol = 2000, 500
    eligible = rng.random((n_req, n_vol)) < 0.3
    base = rng.integers(0, MAX_SCORE - 20 + 1, size=(n_req, n_vol))
    capacity = rng.integers(1, 6, size=n_vol)
    load = np.zeros(n_vol, dtype=np.int64)
    started = time.perf_counter()
    pairs = optimal_pairs(eligible, base, load, capacity)
    elapsed = time.perf_counter() - started
    assert len(pairs) == min(n_req, int(capacity.sum()))
    assert elapsed < 5, f"batch took {elapsed:.2f}s"
