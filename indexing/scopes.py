"""Privacy scopes: `public` or `chat:<id>`; a chat sees public + its own posts, never another chat's."""
from __future__ import annotations

import re

from indexing.errors import InvalidScopeError

PUBLIC = "public"
_SCOPE_RE = re.compile(r"^(public|chat:-?\d{1,20})$")


def chat_scope(chat_id: int) -> str:
    return f"chat:{int(chat_id)}"


def validate_scope(scope: str) -> str:
    if not isinstance(scope, str) or not _SCOPE_RE.match(scope):
        raise InvalidScopeError(f"invalid scope {scope!r}: use 'public' or 'chat:<id>'")
    return scope


def visible_scopes(viewer: str) -> frozenset[str]:
    """The scopes a query made from `viewer` may see."""
    validate_scope(viewer)
    return frozenset({PUBLIC, viewer})
