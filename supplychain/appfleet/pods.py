"""Which pods the fleet serves metrics for: the primary and canary pods of each app, read from the API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ..errors import InputError, Location
from ..extras import require
from .apijson import list_items, read_json
from .observe import deployment_version


@dataclass(frozen=True)
class AppSpec:
    """An app guarded by a Flagger Canary.

    `target` is the Deployment the Canary targets; its pods carry `<selector_label>: <target>` and Flagger's
    primary pods `<selector_label>: <target>-primary`. The version comes from the pod label (or annotation)
    `version_label`. `canary` is the Canary's name when it differs from the target's.
    """

    namespace: str
    target: str
    canary: str = ""
    selector_label: str = "app"
    version_label: str = "version"

    @property
    def canary_name(self) -> str:
        return self.canary or self.target

    @property
    def label_selector(self) -> str:
        return f"{self.selector_label} in ({self.target},{self.target}-primary)"

    @staticmethod
    def parse(text: str) -> AppSpec:
        """`<namespace>/<target>[:<canary>]`, as given on the command line."""
        ref, _, canary = text.partition(":")
        namespace, sep, target = ref.partition("/")
        if not sep or not namespace or not target:
            raise InputError(f"app {text!r} must be <namespace>/<deployment>[:<canary>]")
        return AppSpec(namespace, target, canary)


@dataclass(frozen=True)
class PodInfo:
    """A running pod of an app: its name, role (primary or canary) and version."""

    namespace: str
    name: str
    app: str
    role: str
    version: str


class PodSource(Protocol):
    """Where pods and target versions come from (the Kubernetes API, or a fixed list in tests)."""

    def running_pods(self, app: AppSpec) -> list[PodInfo]: ...

    def target_version(self, app: AppSpec) -> str | None: ...


def pod_info(app: AppSpec, pod: dict[str, Any]) -> PodInfo | None:
    """PodInfo of a pod object (API JSON form), or None if it is not a running, non-terminating app pod."""
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    if meta.get("deletionTimestamp") or status.get("phase") != "Running":
        return None
    labels = meta.get("labels") or {}
    annotations = meta.get("annotations") or {}
    value = labels.get(app.selector_label)
    if value == app.target:
        role = "canary"
    elif value == f"{app.target}-primary":
        role = "primary"
    else:
        return None
    version = labels.get(app.version_label) or annotations.get(app.version_label) or ""
    return PodInfo(app.namespace, str(meta.get("name", "")), str(value), role, str(version))


class KubernetesPods:
    """PodSource reading the Kubernetes API (kubeconfig on 127.0.0.1) with short request timeouts."""

    def __init__(self, kubeconfig: Path, timeout: float = 5.0) -> None:
        require("kubernetes", "the app fleet of the integration environment")
        from kubernetes import client, config

        try:
            self._api = config.new_client_from_config(config_file=str(kubeconfig))
        except (config.ConfigException, OSError, ValueError) as err:
            raise InputError(f"cannot use kubeconfig: {err}", Location(str(kubeconfig))) from None
        self._core = client.CoreV1Api(self._api)
        self._apps = client.AppsV1Api(self._api)
        self._timeout = timeout

    def running_pods(self, app: AppSpec) -> list[PodInfo]:
        items = list_items(
            self._core.list_namespaced_pod,
            app.namespace,
            label_selector=app.label_selector,
            _request_timeout=self._timeout,
        )
        pods = [pod_info(app, item) for item in items]
        return [p for p in pods if p is not None]

    def running_pods_many(self, apps: list[AppSpec]) -> list[PodInfo]:
        """The running pods of every app in one list call per distinct label selector (not one per app: a fleet
        of hundreds of apps would otherwise list pods hundreds of times a second)."""
        by_selector: dict[str, dict[str, AppSpec]] = {}
        for app in apps:
            by_selector.setdefault(app.label_selector, {})[app.namespace] = app
        found: list[PodInfo] = []
        for selector, by_namespace in by_selector.items():
            items = list_items(
                self._core.list_pod_for_all_namespaces, label_selector=selector, _request_timeout=self._timeout
            )
            for item in items:
                owner = by_namespace.get((item.get("metadata") or {}).get("namespace", ""))
                info = pod_info(owner, item) if owner is not None else None
                if info is not None:
                    found.append(info)
        return found

    def target_version(self, app: AppSpec) -> str | None:
        from kubernetes.client.exceptions import ApiException

        try:
            deployment = read_json(
                self._apps.read_namespaced_deployment, app.target, app.namespace, _request_timeout=self._timeout
            )
        except ApiException:
            return None
        return deployment_version(deployment, app.version_label)

    def close(self) -> None:
        self._api.close()


class StaticPods:
    """PodSource over a fixed, mutable list (for tests and demos without a cluster)."""

    def __init__(self) -> None:
        self.pods: list[PodInfo] = []
        self.versions: dict[tuple[str, str], str] = {}

    def running_pods(self, app: AppSpec) -> list[PodInfo]:
        names = {app.target, f"{app.target}-primary"}
        return [p for p in self.pods if p.namespace == app.namespace and p.app in names]

    def target_version(self, app: AppSpec) -> str | None:
        return self.versions.get((app.namespace, app.target))
