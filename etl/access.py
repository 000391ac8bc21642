"""Who may open the dashboard: the access settings (``HSDASH_AUTH_HEADER``, ``HSDASH_ALLOWED_USERS``) and the decision
for one request's header values — pure functions, so ``hsdash serve`` can check the settings before it starts and
the dashboard (dashboard/access.py) applies the same rules to each session. See docs/deployment.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from collections.abc import Mapping, Sequence

HEADER_ENV = "HSDASH_AUTH_HEADER"
USERS_ENV = "HSDASH_ALLOWED_USERS"
MAX_USER_CHARS = 256
_TOKEN = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")  # an HTTP header name (RFC 9110 token)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

NO_HEADER = ("This dashboard only opens through the organisation's sign-in: open it from its usual address, or ask "
             "its administrators for access.")
NOT_ALLOWED = ("Your account is not on this dashboard's list of users: ask the dashboard's administrators to add it.")
MALFORMED = ("The sign-in information that reached the dashboard is malformed, so it cannot tell who you are: open it "
             "from its usual address again, or ask its administrators.")
FRIENDLY_ERROR = ("Something went wrong while drawing this page. The details were written to the dashboard's log; "
                  "please tell its administrators what you did and when, or try again from the menu on the left.")


class AccessConfigError(ValueError):
    """The access settings contradict each other or are invalid (``hsdash serve`` refuses to start)."""


@dataclass(frozen=True)
class Settings:
    header: str | None = None  # None: access control off
    allowed: frozenset[str] = frozenset()  # casefolded; empty: anyone the proxy let through


@dataclass(frozen=True)
class Decision:
    allowed: bool
    user: str | None = None
    message: str | None = None  # one sentence when refused


def settings_from_env(environ: Mapping[str, str]) -> Settings:
    header = (environ.get(HEADER_ENV) or "").strip() or None
    users = frozenset(u.casefold() for u in re.split(r"[\s,]+", environ.get(USERS_ENV) or "") if u)
    if header is not None and not _TOKEN.match(header):
        raise AccessConfigError(f"{HEADER_ENV}={header!r} is not an HTTP header name (e.g. X-Forwarded-User).")
    if users and header is None:
        raise AccessConfigError(f"{USERS_ENV} is set but {HEADER_ENV} is not, so the dashboard cannot tell who is "
                                f"asking; set {HEADER_ENV} to the header your proxy sends the user name in.")
    return Settings(header=header, allowed=users)


def decide(settings: Settings, values: Sequence[str]) -> Decision:
    """Whether a session whose request carried ``values`` for the configured header may see the dashboard."""
    if settings.header is None:
        return Decision(True)
    cleaned = [v.strip() for v in values if v and v.strip()]
    if not cleaned:
        return Decision(False, None, NO_HEADER)
    # Two different values mean a client-sent header got through beside the proxy's: trust neither.
    if len(set(cleaned)) > 1 or len(cleaned[0]) > MAX_USER_CHARS or _CONTROL.search(cleaned[0]):
        return Decision(False, None, MALFORMED)
    user = cleaned[0]
    if settings.allowed and user.casefold() not in settings.allowed:
        return Decision(False, user, NOT_ALLOWED)
    return Decision(True, user)
