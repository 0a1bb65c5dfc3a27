"""Passwords of application users: where they come from, what they may contain, and a revision that
changes with them without revealing them."""

import hashlib
import hmac
import re
from collections.abc import Mapping
from typing import Any

from .spec import ClusterSpec, InvalidSpec

GENERATED_LENGTH = 32
# Passwords go unquoted into SCRAM's `[password=...]` and quoted into a JAAS line: no ',', '[', ']', '=',
# quotes, backslashes or spaces.
_PASSWORD = re.compile(r"^[A-Za-z0-9._~!@#%^*+/:?-]{16,128}$")
PASSWORD_RULE = "16-128 characters of A-Z, a-z, 0-9 and . _ ~ ! @ # % ^ * + / : ? -"
CONFIG_KEY_PREFIX = "kraft:password-"


def password_key(user: str) -> str:
    """The stack-config secret that sets a user's password (`pulumi config set --secret kraft:password-<user>`)."""
    return f"{CONFIG_KEY_PREFIX}{user}"


def parse_password(value: str, key: str) -> str:
    """A user-supplied password, checked to be usable everywhere it goes."""
    if not _PASSWORD.match(value):
        raise InvalidSpec(f"{key}: not a usable password; allowed: {PASSWORD_RULE}")
    return value


def check_password_owners(spec: ClusterSpec, passwords: dict[str, Any], key: str) -> dict[str, Any]:
    """Passwords given for users the spec does not declare are a mistake, not something to ignore. `key` names
    where they were given; a `<user>` in it stands for each user's name (`kraft:password-<user>`)."""
    declared = {user.name for user in spec.users}
    unknown = sorted(passwords.keys() - declared)
    if unknown:
        keys = ", ".join(key.replace("<user>", user) for user in unknown) if "<user>" in key else key
        raise InvalidSpec(
            f"{keys}: passwords for undeclared users {', '.join(unknown)}; declared in kraft:cluster.users: "
            f"{', '.join(sorted(declared)) or 'none'}"
        )
    return passwords


def revision(key: str, passwords: Mapping[str, str]) -> str:
    """An HMAC of every user's password, keyed by a cluster secret: it changes when a password does and tells
    nothing about them to anyone without the key."""
    message = "\0".join(f"{user}\0{password}" for user, password in sorted(passwords.items()))
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
