"""Random secrets that are shown once and stored only as hashes."""

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """Return (token for the URL, its SHA-256 hash for the database)."""
    token = secrets.token_urlsafe(32)
    return token, hash_secret(token)


def new_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def hash_secret(value: str, *, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()
