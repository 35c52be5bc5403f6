"""Checks on uploaded media files: an extension allow-list, the content itself (sniffed from
its first bytes, whatever the browser claimed), and a size limit.

SVG, HTML and anything else that can carry script is refused because it is not on the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

MAX_BYTES: Final = 20 * 1024 * 1024


@dataclass(frozen=True)
class MediaType:
    container: str
    kind: str
    content_type: str


ALLOWED: Final = {
    "png": MediaType("png", "image", "image/png"),
    "jpg": MediaType("jpeg", "image", "image/jpeg"),
    "jpeg": MediaType("jpeg", "image", "image/jpeg"),
    "gif": MediaType("gif", "image", "image/gif"),
    "webp": MediaType("webp", "image", "image/webp"),
    "mp3": MediaType("mp3", "audio", "audio/mpeg"),
    "m4a": MediaType("mp4", "audio", "audio/mp4"),
    "wav": MediaType("wav", "audio", "audio/wav"),
    "ogg": MediaType("ogg", "audio", "audio/ogg"),
    "oga": MediaType("ogg", "audio", "audio/ogg"),
    "flac": MediaType("flac", "audio", "audio/flac"),
    "weba": MediaType("webm", "audio", "audio/webm"),
    "mp4": MediaType("mp4", "video", "video/mp4"),
    "m4v": MediaType("mp4", "video", "video/mp4"),
    "mov": MediaType("mp4", "video", "video/quicktime"),
    "webm": MediaType("webm", "video", "video/webm"),
    "ogv": MediaType("ogg", "video", "video/ogg"),
}


def sniff(head: bytes) -> str | None:
    """The container format the bytes actually are, from their signature."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "wav"
    if head.startswith(b"OggS"):
        return "ogg"
    if head.startswith(b"fLaC"):
        return "flac"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def check_upload(name: str, size: int, head: bytes, *, kind: str | None = None) -> MediaType:
    """The file's type, or ``ValueError`` with a message for the person who uploaded it."""
    extension = PurePath(name).suffix.lower().lstrip(".")
    expected = ALLOWED.get(extension)
    if expected is None:
        allowed = ", ".join(sorted(ALLOWED))
        raise ValueError(
            f"Files of type .{extension or '?'} are not accepted. Use one of: {allowed}."
        )
    if size > MAX_BYTES:
        raise ValueError(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB."
        )
    if size == 0:
        raise ValueError("The file is empty.")
    if sniff(head) != expected.container:
        raise ValueError(
            f"The file's contents are not {expected.container.upper()} as its name says; "
            "it may be damaged or renamed."
        )
    if kind is not None and expected.kind != kind:
        raise ValueError(f"This field shows {kind}; the file is {expected.kind}.")
    return expected
