"""supplychain: a Flagger blue/green canary stage for TAP supply chains, testable offline."""

__version__ = "0.1.0"
