"""Invitation link tokens.

A token is 32 random bytes from ``secrets`` (256 bits, URL-safe base64). Only its SHA-256 digest
is stored: with that much entropy a fast hash is enough, and a leaked database yields no link.
"""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
