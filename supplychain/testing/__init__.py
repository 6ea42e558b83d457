"""Pytest support: fixtures for the integration environment."""
