"""Turn k8s.io/kubernetes's go.mod into a wrapper module's go.mod.

k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with
local paths, so it cannot be used as a dependency as is. The wrapper keeps the
same requirements, requires k8s.io/kubernetes itself, and points every staging
module at the published v0.<minor>.<patch> release.

usage: python3 k8s-gomod.py KUBERNETES_GO_MOD VERSION > go.mod
"""

import re
import sys


def main() -> None:
    source, version = sys.argv[1], sys.argv[2]
    staging_version = "v0." + version.lstrip("v").split(".", 1)[1]
    text = open(source, encoding="utf-8").read()
    staging = sorted(set(re.findall(r"^\s*(k8s\.io/[\w.-]+) => \./staging/", text, re.M)))
    if not staging:
        sys.exit(f"no staging replaces found in {source}")
    text = re.sub(r"^replace \($.*?^\)$", "", text, flags=re.M | re.S)
    text = re.sub(r"^module k8s\.io/kubernetes$", "module supplychain.local/build/kubernetes", text, flags=re.M)
    lines = [text.rstrip(), "", f"require k8s.io/kubernetes {version}", "", "replace ("]
    lines += [f"\t{module} => {module} {staging_version}" for module in staging]
    lines.append(")")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
