"""The checking core `validate` and `lint` share: findings, reading the inputs, running rule sets."""
