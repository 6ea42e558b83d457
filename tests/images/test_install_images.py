"""hack/install-images.sh: image names from the pins, usage errors, and a warm re-run that changes nothing."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from supplychain import toolchain
from supplychain.project import checkout_root
from supplychain.testing.references import missing

SCRIPT = checkout_root() / "hack" / "install-images.sh"


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, timeout=timeout)


def test_print_names_every_image_after_its_pin() -> None:
    pins = toolchain.versions()
    result = _run("--print")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        f"supplychain.local/flagger:{pins['FLAGGER_VERSION']}",
        f"supplychain.local/flagger-loadtester:{pins['FLAGGER_LOADTESTER_VERSION']}",
        f"supplychain.local/prometheus:{pins['PROMETHEUS_VERSION']}",
        f"supplychain.local/cartographer:{pins['CARTOGRAPHER_VERSION']}",
        f"supplychain.local/kapp-controller:{pins['KAPP_CONTROLLER_VERSION']}",
        "supplychain.local/hello-app:v1",
    ]


def test_print_agrees_with_the_kind_provider() -> None:
    from supplychain.cluster import images

    refs = sorted(image.ref for image in images.components().values())
    assert sorted(_run("--print").stdout.split()) == refs


def test_print_one_image() -> None:
    result = _run("--print", "hello-app")
    assert (result.returncode, result.stdout) == (0, "supplychain.local/hello-app:v1\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-image"], "unknown image 'no-such-image' (known: flagger flagger-loadtester prometheus"),
        (["--frobnicate"], "unknown option '--frobnicate'"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.returncode == 2
    assert message in result.stderr and "usage: hack/install-images.sh" in result.stderr
    assert "Traceback" not in result.stderr


def _engine_answers() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0


def _built(ref: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", ref], capture_output=True, timeout=30).returncode == 0


def test_warm_rerun_is_a_no_op() -> None:
    if not _engine_answers():
        missing("no container engine answers (hack/install-engine.sh starts one)")
    refs = _run("--print").stdout.split()
    if not all(_built(ref) for ref in refs):
        missing("the images are not built yet (make images)")
    ids = {
        ref: subprocess.run(
            ["docker", "image", "inspect", "-f", "{{.Id}}", ref], capture_output=True, text=True, timeout=30
        ).stdout.strip()
        for ref in refs
    }
    start = time.monotonic()
    result = _run(timeout=300)
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    assert "building" not in result.stderr, result.stderr
    assert elapsed < 20, f"a warm run took {elapsed:.1f}s"
    for ref, image_id in ids.items():
        now = subprocess.run(
            ["docker", "image", "inspect", "-f", "{{.Id}}", ref], capture_output=True, text=True, timeout=30
        ).stdout.strip()
        assert now == image_id, f"{ref} was rebuilt"
