"""Write an OCI image-layout archive holding several images made of local layer tarballs.

`ctr images import` loads such an archive; each image is named by its
io.containerd.image.name annotation. Layers are stored uncompressed, once each,
whatever the number of images that share them.

usage: python3 oci-archive.py OUT.tar < SPEC.json
SPEC: [{"name": "registry.k8s.io/pause:3.10", "layers": ["/path/layer.tar", ...],
        "entrypoint": ["/pause"], "cmd": [], "env": ["PATH=..."], "user": ""}, ...]
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tarfile
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar"


def file_digest(path: str) -> tuple[str, int]:
    sha = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return "sha256:" + sha.hexdigest(), os.path.getsize(path)


def add_bytes(out: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    out.addfile(info, io.BytesIO(data))


def add_blob(out: tarfile.TarFile, written: set[str], data: bytes) -> dict[str, Any]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if digest not in written:
        add_bytes(out, "blobs/sha256/" + digest.split(":", 1)[1], data)
        written.add(digest)
    return {"digest": digest, "size": len(data)}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        write(sys.argv[1], json.load(sys.stdin))
    except (ValueError, KeyError, TypeError, IndexError) as err:
        print(f"oci-archive: bad image spec on standard input: {err!r}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"oci-archive: {err}", file=sys.stderr)
        return 2
    return 0


def write(target: str, images: list[dict[str, Any]]) -> None:
    """Write the archive of IMAGES to TARGET (through TARGET.tmp, renamed when whole)."""
    try:
        _write_archive(target + ".tmp", images)
    except BaseException:
        if os.path.exists(target + ".tmp"):
            os.remove(target + ".tmp")
        raise
    os.replace(target + ".tmp", target)


def _write_archive(path: str, images: list[dict[str, Any]]) -> None:
    written: set[str] = set()
    index: list[dict[str, Any]] = []
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as out:
        add_bytes(out, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        for image in images:
            layers = []
            for layer_path in image["layers"]:
                digest, size = file_digest(layer_path)
                if digest not in written:
                    out.add(layer_path, "blobs/sha256/" + digest.split(":", 1)[1], recursive=False)
                    written.add(digest)
                layers.append({"mediaType": OCI_LAYER, "digest": digest, "size": size})
            config = {
                "architecture": "amd64",
                "os": "linux",
                "config": {
                    "Env": image.get("env", ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]),
                    "Entrypoint": image.get("entrypoint") or None,
                    "Cmd": image.get("cmd") or None,
                    "User": image.get("user", ""),
                    "WorkingDir": image.get("workdir", "/"),
                },
                "rootfs": {"type": "layers", "diff_ids": [layer["digest"] for layer in layers]},
                "history": [{"created_by": "supplychain hack/oci-archive.py"} for _ in layers],
            }
            config_desc = add_blob(out, written, json.dumps(config, sort_keys=True).encode())
            manifest = {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, **config_desc},
                "layers": layers,
            }
            manifest_desc = add_blob(out, written, json.dumps(manifest, sort_keys=True).encode())
            name = image["name"]
            index.append({
                "mediaType": OCI_MANIFEST,
                **manifest_desc,
                "platform": {"architecture": "amd64", "os": "linux"},
                "annotations": {
                    "io.containerd.image.name": name,
                    "org.opencontainers.image.ref.name": name.rsplit(":", 1)[1],
                },
            })
        add_bytes(out, "index.json", json.dumps({"schemaVersion": 2, "manifests": index}).encode())


if __name__ == "__main__":
    sys.exit(main())
