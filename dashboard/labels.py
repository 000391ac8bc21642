"""Display names for the codes the warehouse stores in its own vocabulary (themes): one place, used by every page."""

from __future__ import annotations

THEME_LABELS = {
    "freedom_from_want": "Freedom from want", "freedom_from_fear": "Freedom from fear", "dignity": "Dignity",
    "environment": "Environment", "context": "Context",
}


def theme_label(theme: object) -> str:
    """The theme's display name (an unknown theme as it is stored)."""
    return THEME_LABELS.get(theme, str(theme)) if isinstance(theme, str) else str(theme)
