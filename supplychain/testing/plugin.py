"""pytest plugin (registered as the `supplychain` pytest11 entry point).

Fixture `integration_env` (session scope) yields a running
`supplychain.cluster.Environment`: a kwok cluster with Flagger, Cartographer,
kapp-controller and Prometheus as local processes on 127.0.0.1, or a kind cluster
with them as Deployments in the node, torn down after the session.

Options: --cluster-run-dir DIR (default $SUPPLYCHAIN_RUN_DIR or <rootdir>/runs/e2e,
<rootdir>/runs/e2e-kind on kind),
--cluster-provider kwok|kind, --keep-cluster (leave it running for inspection).
With --reuse-cluster an environment already running in the run directory (from
`supplychain cluster up --run-dir DIR`) is used as is and left running.

When the binaries are missing, or the provider cannot run here (kind without a container engine or
its images), the fixture skips with the reason, except on CI (CI=true), where that is a failure.

Marker `@pytest.mark.provider("kwok")`: the test only applies to that provider and is skipped (saying
so) when the session runs another one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from supplychain.testing.references import on_ci

if TYPE_CHECKING:
    from supplychain.cluster import Environment


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("supplychain", "supplychain integration environment")
    group.addoption(
        "--cluster-run-dir",
        metavar="DIR",
        default=None,
        help="Run directory of the integration environment (state, config, logs).",
    )
    group.addoption(
        "--cluster-provider",
        choices=("kwok", "kind"),
        default=None,
        help="Cluster provider (default $SUPPLYCHAIN_CLUSTER_PROVIDER or kwok).",
    )
    group.addoption(
        "--keep-cluster",
        action="store_true",
        default=False,
        help="Leave the integration environment running after the session.",
    )
    group.addoption(
        "--reuse-cluster",
        action="store_true",
        default=False,
        help="Use the environment already running in the run directory and leave it running.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "provider(name): the test applies only to that cluster provider (kwok or kind)")


def selected_provider(config: pytest.Config) -> str:
    """The provider of this session: --cluster-provider, else $SUPPLYCHAIN_CLUSTER_PROVIDER, else kwok."""
    chosen = config.getoption("--cluster-provider") or os.environ.get("SUPPLYCHAIN_CLUSTER_PROVIDER") or "kwok"
    if chosen not in ("kwok", "kind"):
        raise pytest.UsageError(f"unknown cluster provider {chosen!r} (known: kwok, kind)")
    return str(chosen)


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("provider")
    if marker is None:
        return
    provider = selected_provider(item.config)
    if provider not in marker.args:
        pytest.skip(f"applies to the {' and '.join(marker.args)} provider only; this session runs {provider}")


def _progress(config: pytest.Config) -> Callable[[str], None]:
    capture = config.pluginmanager.getplugin("capturemanager")

    def report(message: str) -> None:
        if capture is not None:
            with capture.global_and_fixture_disabled():
                sys.stderr.write(f"\n[integration_env] {message}")
                sys.stderr.flush()
        else:
            sys.stderr.write(f"[integration_env] {message}\n")

    return report


def _run_dir(config: pytest.Config) -> Path:
    chosen = config.getoption("--cluster-run-dir") or os.environ.get("SUPPLYCHAIN_RUN_DIR")
    if chosen:
        return Path(chosen)
    return Path(str(config.rootpath)) / "runs" / ("e2e-kind" if selected_provider(config) == "kind" else "e2e")


def require_environment(provider_name: str = "kwok") -> None:
    """Skip (or, on CI, fail) the calling test when the environment cannot be started here."""
    from supplychain.cluster import binaries, providers

    missing = binaries.prerequisites_missing(provider_name)
    if missing:
        reason = "integration environment binaries missing: " + binaries.describe(missing)
        if on_ci():
            pytest.fail(reason + " (CI=true: missing binaries are a failure)", pytrace=False)
        pytest.skip(reason)
    unavailable = providers.get(provider_name).unavailable()
    if unavailable:
        reason = f"{provider_name} provider unavailable: {unavailable}"
        if on_ci():
            pytest.fail(reason + " (CI=true: an environment that cannot start is a failure)", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def integration_env(request: pytest.FixtureRequest) -> Iterator[Environment]:
    """The running integration environment (see supplychain.cluster.Environment)."""
    from supplychain.cluster import Environment, ProviderUnavailable
    from supplychain.cluster.state import State

    config = request.config
    provider_name = selected_provider(config)
    require_environment(provider_name)

    run_dir = _run_dir(config)
    progress = _progress(config)
    if config.getoption("--reuse-cluster"):
        if not State.path(run_dir).exists():
            pytest.fail(
                f"--reuse-cluster: no environment in {run_dir}; run `supplychain cluster up --run-dir {run_dir}`",
                pytrace=False,
            )
        env = Environment.attach(run_dir, progress)
        not_ready = [s for s in env.status() if not s.ready]
        if not_ready:
            pytest.fail(
                "--reuse-cluster: not ready: " + "; ".join(f"{s.name}: {s.detail}" for s in not_ready), pytrace=False
            )
        yield env
        return

    try:
        env = Environment.up(run_dir, provider=provider_name, progress=progress)
    except ProviderUnavailable as err:
        if on_ci():
            pytest.fail(f"{err} (CI=true: an environment that cannot start is a failure)", pytrace=False)
        pytest.skip(str(err))
    try:
        yield env
    finally:
        if config.getoption("--keep-cluster"):
            progress(f"left running: supplychain cluster down --run-dir {run_dir}")
        else:
            env.down()
            stray = env.stray_processes()
            if stray:
                pytest.fail(f"processes left behind after down: {stray}", pytrace=False)
