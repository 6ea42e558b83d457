"""hack/oci-archive.py: the OCI archive of the images preloaded into the kind node."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

SCRIPT = Path(__file__).resolve().parents[2] / "hack" / "oci-archive.py"


def _layer(path: Path, name: str, data: bytes) -> Path:
    with tarfile.open(path, "w") as out:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        out.addfile(info, io.BytesIO(data))
    return path


def _write(tmp_path: Path, spec: list[dict[str, Any]]) -> tarfile.TarFile:
    target = tmp_path / "images.tar"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(target)],
        input=json.dumps(spec),
        text=True,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "images.tar.tmp").exists()
    return tarfile.open(target)


def _blob(archive: tarfile.TarFile, digest: str) -> bytes:
    member = archive.extractfile("blobs/sha256/" + digest.split(":", 1)[1])
    assert member is not None
    data = member.read()
    assert "sha256:" + hashlib.sha256(data).hexdigest() == digest
    return data


def test_images_share_layers_and_carry_their_names(tmp_path: Path) -> None:
    shared = _layer(tmp_path / "shared.tar", "usr/local/bin/kubernetes", b"binary")
    pause = _layer(tmp_path / "pause.tar", "pause", b"pause")
    spec: list[dict[str, Any]] = [
        {
            "name": "registry.k8s.io/kube-apiserver:v1.33.5",
            "layers": [str(shared)],
            "entrypoint": ["/usr/local/bin/kube-apiserver"],
        },
        {
            "name": "registry.k8s.io/kube-scheduler:v1.33.5",
            "layers": [str(shared)],
            "entrypoint": ["/usr/local/bin/kube-scheduler"],
        },
        {"name": "registry.k8s.io/pause:3.10", "layers": [str(pause)], "entrypoint": ["/pause"]},
    ]
    with _write(tmp_path, spec) as archive:
        names = archive.getnames()
        assert json.loads(_read(archive, "oci-layout")) == {"imageLayoutVersion": "1.0.0"}
        index = json.loads(_read(archive, "index.json"))
        by_name = {m["annotations"]["io.containerd.image.name"]: m for m in index["manifests"]}
        assert list(by_name) == [str(image["name"]) for image in spec]
        layer_digests = []
        for image in spec:
            name = str(image["name"])
            descriptor = by_name[name]
            assert descriptor["annotations"]["org.opencontainers.image.ref.name"] == name.rsplit(":", 1)[1]
            manifest = json.loads(_blob(archive, descriptor["digest"]))
            config = json.loads(_blob(archive, manifest["config"]["digest"]))
            assert config["config"]["Entrypoint"] == image["entrypoint"]
            assert config["os"] == "linux" and config["architecture"] == "amd64"
            digests = [layer["digest"] for layer in manifest["layers"]]
            assert config["rootfs"]["diff_ids"] == digests
            for digest in digests:
                _blob(archive, digest)
            layer_digests += digests
        # The two control-plane images share one stored layer.
        assert layer_digests[0] == layer_digests[1] != layer_digests[2]
        assert len(names) == len(set(names))


def _read(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.extractfile(name)
    assert member is not None
    return member.read()


def test_usage_error_exits_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], input="[]", text=True, capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 2
    assert "usage" in done.stderr


def test_bad_spec_exits_2_and_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "images.tar"
    for spec in ("not json", '[{"name": "a:b"}]', '[{"name": "a:b", "layers": ["/nonexistent/layer.tar"]}]'):
        done = subprocess.run(
            [sys.executable, str(SCRIPT), str(target)],
            input=spec,
            text=True,
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 2, spec
        assert done.stderr.startswith("oci-archive: ") and "Traceback" not in done.stderr
        assert list(tmp_path.iterdir()) == []
