"""The sweep's noise model and its aggregates behave as the numbers should."""

from __future__ import annotations

import numpy as np
import pytest

from supplychain.analysis import sweep as S
from supplychain.errors import InputError


def test_generated_series_are_seeded_and_plausible() -> None:
    model = S.Model()
    a = S.generate(model, model.good, runs=50, ticks=20, interval=30.0, seed=7)
    b = S.generate(model, model.good, runs=50, ticks=20, interval=30.0, seed=7)
    assert np.array_equal(a[0], b[0], equal_nan=True) and np.array_equal(a[1], b[1], equal_nan=True)
    assert np.isnan(a[0]).any(), "scrape gaps give no values now and then"
    success, latency = a
    finite = success[~(success != success)]
    assert 99.0 < float(finite.mean()) <= 100.0
    bad_success, _ = S.generate(model, model.bad, runs=50, ticks=20, interval=30.0, seed=7)
    assert float(bad_success[bad_success == bad_success].mean()) < 99.2
    assert 150 < float(latency[latency == latency].mean()) < 320


def test_more_threshold_means_fewer_false_rollbacks_and_slower_rollbacks() -> None:
    settings = [S.Setting(30.0, 1, 10), S.Setting(30.0, 5, 10)]
    low, high = S.run_sweep(settings, runs=300, seed=3)
    assert low.good_false_rollback_rate > high.good_false_rollback_rate
    assert low.bad_rollback_median is not None and high.bad_rollback_median is not None
    assert low.bad_rollback_median < high.bad_rollback_median
    # a rollback needs `threshold` failing analyses after the pre-rollout tick, then one more tick
    assert high.bad_rollback_median >= (5 + 2) * 30.0


def test_longer_intervals_take_longer() -> None:
    fast, slow = S.run_sweep([S.Setting(10.0, 2, 5), S.Setting(60.0, 2, 5)], runs=100, seed=1)
    assert fast.good_promotion_median == (5 + 4) * 10.0
    assert slow.good_promotion_median == (5 + 4) * 60.0
    assert (fast.bad_rollback_median or 0) < (slow.bad_rollback_median or 0)


def test_recommendation_respects_the_false_rollback_budget() -> None:
    outcomes = S.run_sweep([S.Setting(30.0, t, 10) for t in (1, 2, 3, 5)], runs=200, seed=2)
    best = S.recommend(outcomes)
    assert best is not None and best.good_false_rollback_rate <= 0.01 and best.bad_rollback_rate >= 0.99


def test_bounds() -> None:
    with pytest.raises(InputError, match="--runs must be from 1 to 5000"):
        S.run_sweep([S.Setting(30.0, 1, 1)], runs=5001, seed=1)
    with pytest.raises(InputError, match="1 to 400 settings"):
        S.run_sweep([S.Setting(30.0, t, 1) for t in range(1, 402)], runs=1, seed=1)
