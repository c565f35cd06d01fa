"""Example job classes that ship with reqless, used by `reqless dev --example`."""
