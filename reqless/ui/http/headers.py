"""The response headers every UI response carries (docs/ui.md, Response headers)."""

from __future__ import annotations

from reqless.ui.settings import UISettings

__all__ = ["NO_STORE", "content_security_policy", "security_headers"]

NO_STORE = (b"cache-control", b"no-store")


def content_security_policy(frame_ancestors: tuple[str, ...] = ()) -> str:
    """The policy of docs/ui.md, Response headers: first-party code only, no inline script or style.

    `frame_ancestors` widens who may frame the UI when it is embedded.
    """
    ancestors = " ".join(frame_ancestors) if frame_ancestors else "'none'"
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        f"frame-ancestors {ancestors}"
    )


def security_headers(settings: UISettings) -> list[tuple[bytes, bytes]]:
    """Headers added to every response (raw ASGI form)."""
    pairs = {
        "content-security-policy": content_security_policy(settings.frame_ancestors),
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
    }
    return [(name.encode("latin-1"), value.encode("latin-1")) for name, value in pairs.items()]
