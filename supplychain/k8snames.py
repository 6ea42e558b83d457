"""Kubernetes name rules, as apimachinery's pkg/util/validation checks them (a hand port).

Object names, label keys and values and kapp-controller's package names follow these rules; the API
server, Cartographer's selectors and the Package API all call the same Go functions, so every check
here is the one place that knows them. Patterns match the whole text (Go's regexp `$` is the end of
the text, where Python's would also allow a trailing newline).
"""

from __future__ import annotations

import re

__all__ = [
    "DNS1035_LABEL",
    "DNS1123_LABEL",
    "DNS1123_SUBDOMAIN",
    "LABEL_MAX",
    "SUBDOMAIN_MAX",
    "is_dns1123_subdomain",
    "is_label_value",
    "is_qualified_name_part",
]

LABEL_MAX = 63  # DNS-1123 and DNS-1035 labels, label values, the name part of a qualified name
SUBDOMAIN_MAX = 253  # DNS-1123 subdomains, the prefix of a qualified name

DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_QUALIFIED_NAME_PART = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")


def is_dns1123_subdomain(value: str) -> bool:
    """IsDNS1123Subdomain: lowercase letters, digits, '-' and '.', at most 253 characters."""
    return len(value) <= SUBDOMAIN_MAX and DNS1123_SUBDOMAIN.fullmatch(value) is not None


def is_qualified_name_part(value: str) -> bool:
    """The name part of IsQualifiedName (a label key after its optional prefix/)."""
    return 0 < len(value) <= LABEL_MAX and _QUALIFIED_NAME_PART.fullmatch(value) is not None


def is_label_value(value: str) -> bool:
    """IsValidLabelValue: empty, or up to 63 alphanumerics, '-', '_' and '.', alphanumeric at both ends."""
    return len(value) <= LABEL_MAX and _LABEL_VALUE.fullmatch(value) is not None
