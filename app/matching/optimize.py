"""The optimal batch assignment: requests to volunteers under weekly capacities.

Each volunteer contributes one column per free capacity slot (but never more slots
than requests they could take). Slot k of a volunteer with load L is worth the
pair's base score plus `load_points(L + k)`, which shrinks as the week fills up,
so the optimum spreads work over volunteers and the best assignment always uses a
volunteer's slots in order. Every matched pair also earns a bonus larger than any
possible difference in total score: the proposal first serves as many requests as
possible, and among those it has the highest total score.

The assignment itself is `scipy.optimize.linear_sum_assignment` on the dense matrix
of requests × slots; when that matrix would be large (many volunteers with a big
capacity) the same problem goes to scipy's sparse solver on the eligible pairs only.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_array
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from app.matching.scoring import MAX_SCORE, load_points

# Above this many cells (requests × slots) the sparse solver is used: ~100 MB of floats.
DENSE_LIMIT = 12_000_000


def slot_columns(eligible: np.ndarray, load: np.ndarray, capacity: np.ndarray):
    """(volunteer index, slot number) of every column: min(free capacity, eligible requests)."""
    free = np.clip(capacity - load, 0, None)
    slots = np.minimum(free, eligible.sum(axis=0)).astype(np.intp)
    volunteer = np.repeat(np.arange(len(slots), dtype=np.intp), slots)
    starts = np.repeat(np.cumsum(slots) - slots, slots)
    slot = np.arange(len(volunteer), dtype=np.intp) - starts
    return volunteer, slot


def optimal_pairs(eligible: np.ndarray, base: np.ndarray, load: np.ndarray,
                  capacity: np.ndarray, dense_limit: int = DENSE_LIMIT) -> list[tuple[int, int]]:
    """(request index, volunteer index) pairs of an optimal assignment, by request.

    `eligible` and `base` are requests × volunteers; `load` and `capacity` per volunteer.
    """
    eligible = np.asarray(eligible, dtype=bool)
    base, load, capacity = np.asarray(base), np.asarray(load), np.asarray(capacity)
    n_req = eligible.shape[0]
    volunteer, slot = slot_columns(eligible, load, capacity)
    n_cols = len(volunteer)
    if n_req == 0 or n_cols == 0:
        return []
    bonus = (MAX_SCORE + 1) * (min(n_req, n_cols) + 1)
    slot_value = load_points(load[volunteer] + slot, capacity[volunteer]).astype(np.float64)

    if n_req * n_cols <= dense_limit:
        weights = np.where(eligible[:, volunteer],
                           bonus + base[:, volunteer] + slot_value[None, :], 0.0)
        rows, cols = linear_sum_assignment(weights, maximize=True)
        chosen = weights[rows, cols] > 0
        rows, cols = rows[chosen], cols[chosen]
    else:
        rows, cols = _sparse_assignment(eligible, base, volunteer, slot_value, bonus)
    return sorted((int(r), int(volunteer[c])) for r, c in zip(rows, cols))


def _sparse_assignment(eligible, base, volunteer, slot_value, bonus):
    """The same problem on the eligible (request, slot) edges only; every request also has
    its own "nobody" column worth 1, so a full matching always exists."""
    n_req, n_cols = eligible.shape[0], len(volunteer)
    # A volunteer's slot columns are contiguous: they start at first_col[v].
    counts = np.bincount(volunteer, minlength=eligible.shape[1])
    first_col = np.cumsum(counts) - counts
    req_idx, vol_idx = np.nonzero(eligible)
    per_pair = counts[vol_idx]
    keep = per_pair > 0
    req_idx, vol_idx, per_pair = req_idx[keep], vol_idx[keep], per_pair[keep]
    rows = np.repeat(req_idx, per_pair)
    offsets = np.arange(per_pair.sum()) - np.repeat(np.cumsum(per_pair) - per_pair, per_pair)
    cols = np.repeat(first_col[vol_idx], per_pair) + offsets
    values = bonus + base[rows, volunteer[cols]] + slot_value[cols]
    rows = np.concatenate([rows, np.arange(n_req)])
    cols = np.concatenate([cols, n_cols + np.arange(n_req)])
    values = np.concatenate([values.astype(np.float64), np.ones(n_req)])
    graph = csr_array((values, (rows, cols)), shape=(n_req, n_cols + n_req))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph, maximize=True)
    real = matched_cols < n_cols
    return matched_rows[real], matched_cols[real]
