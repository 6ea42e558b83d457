#!/usr/bin/env bash
# Builds what the kind provider needs, offline and cached by version: the kind binary
# (Go module sigs.k8s.io/kind), the Debian base image and the kind node image
# supplychain.local/kind-node:<KUBERNETES_VERSION>, built from local files only: Go
# modules, Debian packages, and the control-plane and etcd builds of install-env.sh.
#
# usage: hack/install-kind.sh [COMPONENT...]   (default: all)
#        hack/install-kind.sh --times          (cold build seconds of each cached piece)
# Components: kind containerd crictl kube-node coredns pause debian-base node-image
# A warm re-run only checks the cache and the image labels.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$HACK_DIR/lib-images.sh"

# The Go builds first: the root filesystems are debootstrapped meanwhile (see main).
ALL_COMPONENTS=(kind containerd crictl kube-node coredns pause debian-base node-image)

build_kind() {
  build_module kind "$KIND_VERSION" sigs.k8s.io/kind sigs.k8s.io/kind
}

# build_bins NAME VERSION WORKDIR TAGS LDFLAGS PACKAGE...: build several main packages
# of the wrapper module WORKDIR at once into the cache directory NAME-VERSION (one
# binary per package, named after its last path element), with progress lines, a log
# and the build time, like build_dir.
build_bins() {
  local name="$1" version="$2" work="$3" tags="$4" ldflags="$5"; shift 5
  local dir; dir="$(tool_dir "$name" "$version")"
  local log="$LOG_DIR/build-$name-$version.log" start=$SECONDS
  step "building $name $version (log: $log)"
  : > "$log"
  _go_build() {
    cd "$work" && go mod tidy && mkdir -p out
    nice -n 10 go build -v -trimpath -tags "$tags" -ldflags "-s -w $ldflags" -o out/ "$@"
  }
  with_progress "$name" "$log" _go_build "$@"
  rm -rf "$dir" && mkdir -p "$dir"
  mv "$work"/out/* "$dir/"
  echo "$((SECONDS - start))" > "$dir/.build-seconds"
  touch "$dir/.complete"
  rm -rf "$work"
  step "built $name $version in $((SECONDS - start))s"
}

# go_wrapper NAME MODULE VERSION PACKAGE...: a wrapper module requiring MODULE@VERSION
# and importing the PACKAGEs. Prints its directory.
go_wrapper() {
  local name="$1" module="$2" version="$3"; shift 3
  local work; work="$(new_wrapper "$name")"
  printf 'module supplychain.local/build/%s\n\ngo 1.24\n\nrequire %s %s\n' "$name" "$module" "$version" > "$work/go.mod"
  { printf '//go:build tools\n\npackage tools\n\nimport (\n'; printf '\t_ "%s"\n' "$@"; printf ')\n'; } > "$work/tools.go"
  printf '%s' "$work"
}

# containerd, ctr and the runc shim (the node's container runtime; runc is Debian's).
build_containerd() {
  local v="$CONTAINERD_VERSION" m=github.com/containerd/containerd/v2
  cached containerd "$v" && return 0
  proxy_check "$m@$v"
  local pkgs=("$m/cmd/containerd" "$m/cmd/ctr" "$m/cmd/containerd-shim-runc-v2")
  build_bins containerd "$v" "$(go_wrapper containerd "$m" "$v" "${pkgs[@]}")" \
    "no_btrfs no_devmapper no_zfs" "-X $m/version.Version=$v -X $m/version.Revision=$v" "${pkgs[@]}"
}

build_crictl() {
  local v="$CRI_TOOLS_VERSION" m=sigs.k8s.io/cri-tools
  cached crictl "$v" && return 0
  proxy_check "$m@$v"
  build_bins crictl "$v" "$(go_wrapper crictl "$m" "$v" "$m/cmd/crictl")" "" "-X $m/pkg/version.Version=$v" "$m/cmd/crictl"
}

# CoreDNS with the plugins a cluster's DNS uses (hack/build/coredns).
build_coredns() {
  local v="$COREDNS_VERSION" m=github.com/coredns/coredns
  cached coredns "$v" && return 0
  proxy_check "$m@$v"
  local work; work="$(new_wrapper coredns)"
  printf 'module supplychain.local/build/coredns\n\ngo 1.24\n\nrequire %s %s\n' "$m" "$v" > "$work/go.mod"
  cp "$HACK_DIR/build/coredns/main.go" "$work/main.go"
  build_bins coredns "$v" "$work" "" "-X $m/coremain.GitCommit=$v" .
}

# kubelet, kubeadm, kube-proxy and kubectl: one multi-call binary (hack/build/kube-node)
# from the same wrapper module as install-env.sh's control-plane binary, so the Go
# build cache shares every compiled package between the two.
build_kube_node() {
  local v="$KUBERNETES_VERSION"
  cached kube-node "$v" && return 0
  proxy_check "k8s.io/kubernetes@$v"
  local gomod; gomod="$(cd "$(mktemp -d)" && go mod download -json "k8s.io/kubernetes@$v" | python3 -c 'import json,sys; print(json.load(sys.stdin)["GoMod"])')"
  local work; work="$(new_wrapper kube-node)"
  python3 "$HACK_DIR/k8s-gomod.py" "$gomod" "$v" > "$work/go.mod" || die "cannot generate the Kubernetes wrapper go.mod"
  cp "$HACK_DIR/build/kube-node/main.go" "$work/main.go"
  local minor="${v#v1.}"; minor="${minor%%.*}"
  local ld="" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
    ld+=" -X $pkg.buildDate=1970-01-01T00:00:00Z"
  done
  build_dir kube-node "$v" "$work" . "$ld"
}

# Kubernetes' own pause container (build/pause/linux/pause.c of the pinned module).
build_pause() {
  local v="$KUBERNETES_VERSION" dir; dir="$(tool_dir pause "$v")"
  cached pause "$v" && return 0
  command -v gcc >/dev/null 2>&1 && [ -f /usr/lib/x86_64-linux-gnu/libc.a ] || apt_install gcc libc6-dev
  local src start=$SECONDS; src="$(go_download "k8s.io/kubernetes@$v")/build/pause/linux/pause.c"
  step "building pause from k8s.io/kubernetes@$v"
  rm -rf "$dir" && mkdir -p "$dir"
  gcc -Os -Wall -Werror -static -DVERSION="$v" -o "$dir/pause" "$src" >"$LOG_DIR/build-pause-$v.log" 2>&1 \
    || { cat "$LOG_DIR/build-pause-$v.log" >&2; die "building pause failed (static glibc: apt-get install libc6-dev)"; }
  echo "$((SECONDS - start))" > "$dir/.build-seconds"
  touch "$dir/.complete"
}

# --- The kind node image --------------------------------------------------------------

NODE_IMAGE="$IMAGE_PREFIX/kind-node:$KUBERNETES_VERSION"
NODE_FILES="$HACK_DIR/kind-node"
# Debian packages of the node: kind's base image list, less rootless and network-storage
# extras, plus Debian's runc and CNI plugins.
NODE_PACKAGES=(systemd systemd-sysv conntrack iptables nftables iproute2 ethtool util-linux mount kmod
  libseccomp2 pigz bash ca-certificates curl jq procps runc containernetworking-plugins)

# tool_id NAME VERSION: identifies a cached build (rebuilt caches get a new id).
tool_id() { printf '%s-%s@%s' "$1" "$2" "$(stat -c %Y "$(tool_dir "$1" "$2")/.complete")"; }

# layer_tar OUT DIR: a reproducible layer tarball of DIR.
layer_tar() {
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$2" -cf "$1" . || die "cannot archive $2"
}

# _node_images WORK: the OCI archive WORK/images.tar of every image kubeadm needs, under
# the names `kubeadm config images list` prints.
_node_images() {
  local work="$1" v="$KUBERNETES_VERSION" kube node etcd
  kube="$(tool_dir kubernetes "$v")/kubernetes"; node="$(tool_dir kube-node "$v")/kube-node"
  etcd="$(tool_dir etcd "$ETCD_VERSION")/etcd"
  local l="$work/layers"; mkdir -p "$l"/{min,kube,etcd,coredns,pause,proxy}/usr/local/bin
  # A minimal root: users, groups and a writable /tmp, shared by the static images.
  mkdir -p "$l/min/etc" "$l/min/tmp" && chmod 1777 "$l/min/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' > "$l/min/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$l/min/etc/group"
  install -m 0755 "$kube" "$l/kube/usr/local/bin/kubernetes"
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler; do ln -s kubernetes "$l/kube/usr/local/bin/$c"; done
  install -m 0755 "$etcd" "$l/etcd/usr/local/bin/etcd"
  install -m 0755 "$(tool_dir coredns "$COREDNS_VERSION")/coredns" "$l/coredns/coredns"
  install -m 0755 "$(tool_dir pause "$v")/pause" "$l/pause/pause"
  install -m 0755 "$node" "$l/proxy/usr/local/bin/kube-node"
  install -m 0755 "$NODE_FILES/kube-proxy" "$l/proxy/usr/local/bin/kube-proxy"
  for c in min kube etcd coredns pause proxy; do layer_tar "$l/$c.tar" "$l/$c"; done
  local base; base="$(debian_rootfs "$DEBIAN_SUITE" minbase "${DEBIAN_BASE_PACKAGES[@]}")"
  "$node" kubeadm config images list --kubernetes-version "$v" > "$work/kubeadm-images" || die "kubeadm config images list failed"
  python3 - "$l" "$base" "$COREDNS_VERSION" "$work/kubeadm-images" > "$work/images.json" <<'PY' || die "cannot map kubeadm's images"
import json, sys
layers, base, coredns, listing = sys.argv[1:]
images = []
for name in open(listing).read().split():
    repo, tag = name.rsplit(":", 1)
    short = repo.rsplit("/", 1)[1]
    if short in ("kube-apiserver", "kube-controller-manager", "kube-scheduler"):
        spec = {"layers": ["min", "kube"], "entrypoint": ["/usr/local/bin/" + short]}
    elif short == "kube-proxy":
        spec = {"layers": [base, "proxy"], "entrypoint": ["/usr/local/bin/kube-proxy"]}
    elif short == "etcd":
        spec = {"layers": ["min", "etcd"], "entrypoint": ["/usr/local/bin/etcd"]}
    elif short == "coredns":
        if tag != coredns:
            sys.exit(f"kubeadm expects {name} but COREDNS_VERSION in supplychain/versions.env is {coredns}")
        spec = {"layers": ["min", "coredns"], "entrypoint": ["/coredns"]}
    elif short == "pause":
        spec = {"layers": ["pause"], "entrypoint": ["/pause"]}
    else:
        sys.exit(f"kubeadm expects an image this build does not make: {name}")
    spec["layers"] = [p if p.startswith("/") else f"{layers}/{p}.tar" for p in spec["layers"]]
    images.append({"name": name, **spec})
json.dump(images, sys.stdout)
PY
  python3 "$HACK_DIR/oci-archive.py" "$work/images.tar" < "$work/images.json" || die "cannot write the image archive"
  rm -rf "$l"
}

# _node_rootfs ROOT: kind's base-image files, the runtime and the Kubernetes node
# binaries on top of the unpacked Debian rootfs ROOT.
_node_rootfs() {
  local root="$1" v="$KUBERNETES_VERSION"
  local kf; kf="$(go_download "sigs.k8s.io/kind@$KIND_VERSION")/images/base/files"
  # kind's base image files, with the modes of kind's Dockerfile.
  install -m 0755 "$kf"/usr/local/bin/* "$root/usr/local/bin/"
  mkdir -p "$root/kind" "$root/LICENSES" "$root/etc/containerd" "$root/etc/systemd/system/kubelet.service.d"
  cp -r "$kf/kind/." "$root/kind/"
  find "$root/kind" -type d -exec chmod 0755 {} + ; find "$root/kind" -type f -exec chmod 0644 {} +
  chmod 0755 "$root"/kind/bin/*
  install -m 0644 "$kf"/LICENSES/* "$root/LICENSES/"
  install -m 0644 "$kf/etc/crictl.yaml" "$root/etc/"
  install -m 0644 "$kf"/etc/containerd/* "$root/etc/containerd/"
  install -m 0644 "$kf"/etc/default/* "$root/etc/default/"
  install -m 0644 "$kf"/etc/sysctl.d/* "$root/etc/sysctl.d/"
  find "$kf/etc/systemd/system" -maxdepth 1 -type f -exec install -m 0644 {} "$root/etc/systemd/system/" \;
  install -m 0644 "$kf"/etc/systemd/system/kubelet.service.d/* "$root/etc/systemd/system/kubelet.service.d/"
  # systemd as a container's init, as kind's base image sets it up.
  find "$root/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
  rm -f "$root"/lib/systemd/system/multi-user.target.wants/* "$root"/etc/systemd/system/*.wants/* \
    "$root"/lib/systemd/system/local-fs.target.wants/* "$root"/lib/systemd/system/sockets.target.wants/*udev* \
    "$root"/lib/systemd/system/sockets.target.wants/*initctl* "$root"/lib/systemd/system/basic.target.wants/*
  echo "ReadKMsg=no" >> "$root/etc/systemd/journald.conf"
  ln -sfn /lib/systemd/systemd "$root/sbin/init"
  install -m 0755 "$NODE_FILES/pods-stay-local" "$root/usr/local/sbin/"
  install -m 0644 "$NODE_FILES/pods-stay-local.service" "$root/etc/systemd/system/"
  chroot "$root" systemctl enable kubelet.service containerd.service undo-mount-hacks.service pods-stay-local.service
  chroot "$root" systemctl mask systemd-binfmt.service
  mkdir -p "$root/etc/kubernetes/manifests" "$root/etc/systemd/system/containerd.service.d"
  install -m 0755 "$NODE_FILES/containerd-oom-score-adj" "$root/usr/local/sbin/"
  install -m 0644 "$NODE_FILES/containerd-oom-score-adj.conf" "$root/etc/systemd/system/containerd.service.d/10-oom-score-adj.conf"
  # Container runtime (containerd v2, Debian's runc), crictl, CNI plugins and config.
  local cd; cd="$(tool_dir containerd "$CONTAINERD_VERSION")"
  install -m 0755 "$cd/containerd" "$cd/ctr" "$cd/containerd-shim-runc-v2" \
    "$(tool_dir crictl "$CRI_TOOLS_VERSION")/crictl" "$root/usr/local/bin/"
  "$cd/ctr" oci spec | python3 -c '
import json, sys
spec = json.load(sys.stdin)
spec.setdefault("hooks", {}).setdefault("createContainer", []).append({"path": "/kind/bin/mount-product-files.sh"})
spec["process"].pop("rlimits", None)
json.dump(spec, sys.stdout, indent=2)' > "$root/etc/containerd/cri-base.json"
  mkdir -p "$root/opt/cni/bin" "$root/etc/cni/net.d"
  local p
  for p in bridge host-local loopback portmap ptp; do
    [ -x "$root/usr/lib/cni/$p" ] || die "Debian's containernetworking-plugins has no $p"
    ln -sfn "/usr/lib/cni/$p" "$root/opt/cni/bin/$p"
  done
  install -m 0644 "$NODE_FILES/10-bridge.conflist" "$root/etc/cni/net.d/"
  # Kubernetes node binaries and kind's manifests.
  install -m 0755 "$(tool_dir kube-node "$v")/kube-node" "$root/usr/bin/kube-node"
  for p in kubelet kubeadm kubectl; do ln -sfn kube-node "$root/usr/bin/$p"; done
  printf '%s' "$v" > "$root/kind/version"
  mkdir -p "$root/kind/manifests"
  install -m 0644 "$NODE_FILES/default-cni.yaml" "$root/kind/manifests/"
  local coredns_image; coredns_image="$(grep '/coredns:' "$2")"
  sed "s|@COREDNS_IMAGE@|$coredns_image|" "$NODE_FILES/default-storage.yaml" > "$root/kind/manifests/default-storage.yaml"
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/*
}

# _node_preload IMAGE ARCHIVE: load ARCHIVE into the k8s.io namespace of containerd
# inside IMAGE (a build container), pinned so the kubelet never collects them; the
# container becomes the node image.
_node_preload() {
  local image="$1" archive="$2" hash="$3" id="supplychain-node-build-$$"
  docker rm -f -v "$id" >/dev/null 2>&1 || true
  # systemd stops on SIGRTMIN+3; `docker commit` keeps the build container's stop signal.
  docker run -d --name "$id" --network none --stop-signal SIGRTMIN+3 --entrypoint /bin/sleep --security-opt seccomp=unconfined "$image" infinity
  trap 'docker rm -f -v '"$id"' >/dev/null 2>&1 || true' EXIT
  docker cp "$archive" "$id:/kind/images.tar"
  docker exec "$id" bash -c 'set -e
    nohup containerd >/tmp/containerd.log 2>&1 &
    for i in $(seq 1 30); do ctr version >/dev/null 2>&1 && break; sleep 1; done
    ctr --namespace=k8s.io images import --label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests /kind/images.tar
    ctr --namespace=k8s.io images list -q
    pkill containerd || true; for i in $(seq 1 30); do pgrep containerd >/dev/null || break; sleep 1; done
    rm -f /kind/images.tar /tmp/containerd.log'
  local old; old="$(image_id "$NODE_IMAGE")"
  docker commit --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' --change 'CMD []' \
    --change "LABEL $INPUTS_LABEL=$hash" "$id" "$NODE_IMAGE"
  docker rm -f -v "$id" >/dev/null
  trap - EXIT
  drop_replaced "$old"
}

# build_node_image: supplychain.local/kind-node:<KUBERNETES_VERSION>, cached by the
# hash of everything that goes into it.
build_node_image() {
  local v="$KUBERNETES_VERSION" rootfs hash
  require_engine
  cached kubernetes "$v" && cached etcd "$ETCD_VERSION" || bash "$HACK_DIR/install-env.sh" kubernetes etcd
  build_containerd; build_crictl; build_kube_node; build_coredns; build_pause
  rootfs="$(debian_rootfs "$DEBIAN_SUITE" minbase "${NODE_PACKAGES[@]}")"
  local kf; kf="$(go_download "sigs.k8s.io/kind@$KIND_VERSION")/images/base/files"
  hash="$(hash_inputs "$rootfs" "$(hash_files "$kf" "$NODE_FILES" "$HACK_DIR/oci-archive.py")" \
    "$(hash_functions _node_images _node_rootfs _node_preload layer_tar)" \
    "$(tool_id kubernetes "$v")" "$(tool_id kube-node "$v")" "$(tool_id etcd "$ETCD_VERSION")" \
    "$(tool_id coredns "$COREDNS_VERSION")" "$(tool_id pause "$v")" "$(tool_id containerd "$CONTAINERD_VERSION")" \
    "$(tool_id crictl "$CRI_TOOLS_VERSION")" "${DEBIAN_BASE_PACKAGES[*]}")"
  image_current "$NODE_IMAGE" "$hash" && return 0
  local log="$LOG_DIR/image-kind-node-$v.log" start=$SECONDS
  local work; work="$(mktemp -d "${TMPDIR:-/tmp}/supplychain-node.XXXXXX")"
  step "building $NODE_IMAGE (log: $log)"
  : > "$log"
  with_progress "kind-node images" "$log" _node_images "$work"
  unpack_rootfs "$rootfs" "$work/root"
  with_progress "kind-node rootfs" "$log" _node_rootfs "$work/root" "$work/kubeadm-images"
  local build_image="$IMAGE_PREFIX/kind-node-build:$hash"
  tar --numeric-owner -C "$work/root" -c . | docker import --change 'ENV container=docker' - "$build_image" >>"$log" 2>&1 || die "cannot import the node rootfs; log: $log"
  rm -rf "$work/root"
  with_progress "kind-node preload" "$log" _node_preload "$build_image" "$work/images.tar" "$hash"
  docker rmi "$build_image" >/dev/null
  rm -rf "$work"
  # Recorded like debian-base's: the assembly plus the debootstrap of its root filesystem.
  image_built kind-node "$v" "$((SECONDS - start + $(cat "$(dirname "$rootfs")/.build-seconds")))" "$hash"
  step "built $NODE_IMAGE in $((SECONDS - start))s"
}

# print_times: the recorded build time of every piece the node image is made of.
print_times() {
  local f
  for f in "$TOOLS_DIR"/{kind,containerd,crictl,kube-node,coredns,pause,kubernetes,etcd}-*/.build-seconds \
    "$ROOTFS_DIR"/*/.build-seconds "$IMAGES_DIR"/{debian-base,kind-node}-*/.build-seconds; do
    [ -f "$f" ] || continue
    local name; name="$(basename "$(dirname "$f")")"
    [[ "$f" != "$ROOTFS_DIR"/* ]] || name="rootfs $name ($(tr , ' ' < "$(dirname "$f")/packages" | wc -w) packages)"
    printf '%6ss  %s\n' "$(cat "$f")" "$name"
  done
}

main() {
  [ "${1:-}" != --times ] || { print_times; return 0; }
  local components=("$@") c
  [ ${#components[@]} -gt 0 ] || components=("${ALL_COMPONENTS[@]}")
  local start=$SECONDS prefetch=""
  if [[ " ${components[*]} " == *" node-image "* ]]; then
    # debootstrap waits on the network and disks, the Go builds on the CPUs: overlap them.
    { debian_rootfs "$DEBIAN_SUITE" minbase "${DEBIAN_BASE_PACKAGES[@]}" >/dev/null
      debian_rootfs "$DEBIAN_SUITE" minbase "${NODE_PACKAGES[@]}" >/dev/null; } &
    prefetch=$!
  fi
  for c in "${components[@]}"; do
    case "$c" in
      debian-base|kind|containerd|crictl|kube-node|coredns|pause|node-image) "build_${c//-/_}" ;;
      *) die "unknown component '$c' (known: ${ALL_COMPONENTS[*]})" ;;
    esac
  done
  [ -z "$prefetch" ] || wait "$prefetch" || die "the node's Debian root filesystem could not be built"
  step "kind environment ready ($((SECONDS - start))s)"
}

main "$@"
