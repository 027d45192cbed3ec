"""Vectorised, seeded bootstrap over ballots within each agency.

The agency satisfaction index is a non-linear function (a weighted mean of ratios) of per-question
sums over ballots, so its sampling distribution is estimated by resampling ballots with replacement
within the agency and recomputing the index (Efron & Tibshirani 1993, ch. 6 and 13).

How it is made fast:

* **Counts, not copies.** A resample is represented by how many times each ballot (or group, below)
  is drawn: ``W[b, g]``. Replicate sums for all questions are then one matrix product
  ``W @ F`` with ``F[g] = (valid answers, score) per question``; no resampled table is built.
* **Random groups for large agencies.** An agency with more ballots than ``max_groups`` has its
  ballots dealt into ``max_groups`` random groups of (nearly) equal size, and groups are resampled
  instead of ballots. With independent ballots the groups are i.i.d., so this is the ordinary
  cluster bootstrap; it reproduces the mean and the variance (up to the factor (K-1)/K, 0.5 % for
  K = 200) and, to first order, the skewness of the resampled sums -- the random-group method of
  variance estimation (Wolter, K. M. 2007, *Introduction to Variance Estimation*, 2nd ed., ch. 2)
  combined with the bootstrap (Davison & Hinkley 1997, *Bootstrap Methods and their Application*,
  §3.8). Agencies with at most ``max_groups`` ballots -- the ones whose intervals matter most --
  get the exact ballot bootstrap. ``max_groups=None`` uses single ballots everywhere (slower: cost
  grows with resamples × ballots instead of resamples × groups).
* **Reproducible and order-free.** Ballots are put in a canonical order (agency, then a 64-bit hash
  of the ballot id) before groups are dealt and positions drawn, and each agency draws from its own
  random stream seeded by ``(seed, hash of the agency label)``. Hence permuting input rows, or
  adding or removing *other* agencies, leaves an agency's interval unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

#: Largest number of draws (resamples × groups) materialised at once for one agency.
_MAX_DRAWS = 4_000_000


def ballot_hash(ballot_ids: np.ndarray) -> np.ndarray:
    """Stable 64-bit hash of each ballot id (pandas' SipHash with its fixed key), as ``uint64``."""
    return pd.util.hash_array(np.asarray(ballot_ids), categorize=False)


def agency_stream(seed: int, agency: Any) -> np.random.Generator:
    """The random stream of one agency: seeded by the method seed and a digest of the agency label."""
    digest = hashlib.blake2b(str(agency).encode("utf-8"), digest_size=8).digest()
    return np.random.default_rng([int(seed), int.from_bytes(digest, "little")])


def deal_groups(
    agency_code: np.ndarray, order_key: np.ndarray, n_agencies: int, max_groups: int | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deal each agency's ballots into resampling groups.

    Returns ``(group_id per ballot, group offsets per agency (length n_agencies + 1), groups per
    agency)``. Within an agency, ballots in canonical order (by ``order_key``) go round-robin to
    ``K = min(n, max_groups)`` groups, so group sizes differ by at most one and, with ``K = n``,
    every ballot is its own group. Groups of one agency are contiguous. The sort key keeps
    ``64 - bits(agencies)`` bits of the hash (55 for 500 agencies): two ballots of one agency tie,
    and fall back to input order, with probability about ``n² / 2**56``.
    """
    n_per = np.bincount(agency_code, minlength=n_agencies)
    k = n_per if max_groups is None else np.minimum(n_per, max_groups)
    offsets = np.concatenate([[0], np.cumsum(k)])
    # one sort on (agency, hash): the agency code in the top bits, the hash's top bits below it
    shift = max(int(n_agencies - 1).bit_length(), 1)
    key = (agency_code.astype(np.uint64) << np.uint64(64 - shift)) | (
        np.asarray(order_key, dtype=np.uint64) >> np.uint64(shift)
    )
    order = np.argsort(key, kind="stable")
    codes_sorted = agency_code[order]
    starts = np.concatenate([[0], np.cumsum(n_per)[:-1]])
    position = np.arange(len(order)) - starts[codes_sorted]
    gid = np.empty(len(order), dtype=np.int64)
    gid[order] = offsets[codes_sorted] + position % np.maximum(k[codes_sorted], 1)
    return gid, offsets, k


def resample_counts(rng: np.random.Generator, groups: int, resamples: int) -> Iterator[np.ndarray]:
    """Draw-count matrices ``W`` (resamples × groups) in slices: ``W[b, g]`` = times group g drawn.

    Each resample draws ``groups`` times with replacement; slices keep memory bounded.
    """
    step = max(1, _MAX_DRAWS // max(groups, 1))
    for b0 in range(0, resamples, step):
        b = min(step, resamples - b0)
        draws = rng.integers(0, groups, size=(b, groups), dtype=np.int64)
        draws += np.arange(0, b * groups, groups, dtype=np.int64)[:, None]
        yield np.bincount(draws.ravel(), minlength=b * groups).reshape(b, groups)


def replicate_sums(
    features: np.ndarray, offset: int, groups: int, resamples: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap replicates of column sums of ``features[offset:offset + groups]``: (resamples × D).

    ``features`` hold non-negative integers (counts, and scores in whole points), so every partial
    sum of a replicate is an integer no larger than ``groups × max(feature)``; below 2**24 float32
    represents all of them exactly and the product runs in float32, twice as fast.
    """
    block = features[offset : offset + groups]
    exact32 = groups * float(block.max(initial=0.0)) < 2**24
    dtype = np.float32 if exact32 else np.float64
    block = block.astype(dtype)
    parts = [w.astype(dtype) @ block for w in resample_counts(rng, groups, resamples)]
    if not parts:
        return np.empty((0, features.shape[1]))
    return np.concatenate(parts, axis=0).astype(np.float64)
