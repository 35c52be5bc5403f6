"""Storing a client's answer file (a voice memo, a photo): checked by its bytes, not by what
the browser claimed, and written under the private media root."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from assignments.models import MediaAnswer, MediaKind, Occurrence

MB: Final = 1024 * 1024
LIMITS: Final = {MediaKind.PHOTO: 10 * MB, MediaKind.AUDIO: 20 * MB}
ACCEPTED: Final = {
    MediaKind.PHOTO: "a JPEG, PNG, HEIC or WebP photo",
    MediaKind.AUDIO: "an M4A, AAC, MP3, Ogg, WebM or WAV recording",
}
EXTENSIONS: Final = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/heic": "heic",
    "image/webp": "webp",
    "audio/mp4": "m4a",
    "audio/aac": "aac",
    "audio/mpeg": "mp3",
    "audio/ogg": "ogg",
    "audio/webm": "webm",
    "audio/wav": "wav",
}

_HEIC_BRANDS: Final = {b"heic", b"heix", b"hevc", b"hevx", b"mif1", b"msf1", b"heim", b"heis"}


def sniff(head: bytes, kind: str) -> str | None:
    """The content type the first bytes really are, among those accepted for ``kind``."""
    if kind == MediaKind.PHOTO:
        if head.startswith(b"\xff\xd8\xff"):
            return "image/jpeg"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "image/png"
        if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
            return "image/webp"
        if head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS:
            return "image/heic"
        return None
    if head[4:8] == b"ftyp" and head[8:12] not in _HEIC_BRANDS:
        return "audio/mp4"  # m4a from a phone's voice memo app
    if head.startswith(b"ID3"):
        return "audio/mpeg"
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0:
        return "audio/aac"  # ADTS: sync word with layer bits 00
    if len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        return "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "audio/wav"
    return None


def media_answer_store(
    *, occurrence: Occurrence, client, field_id: str, kind: str, upload: UploadedFile
) -> MediaAnswer:
    """Check ``upload`` and keep it for this client's occurrence; ``ValidationError`` with a
    message for the client (shown next to the field) when it is refused."""
    if occurrence.assignment.client_id != client.pk:
        raise ValidationError("This worksheet is not yours.")
    limit = LIMITS[MediaKind(kind)]
    size = upload.size or 0
    if size == 0:
        raise ValidationError("The file is empty. Please try again.")
    if size > limit:
        raise ValidationError(
            f"The file is {size / MB:.1f} MB; the limit is {limit // MB} MB. "
            "Try a shorter recording or a smaller photo."
        )
    upload.seek(0)
    head = upload.read(32)
    content_type = sniff(head, kind)
    if content_type is None:
        raise ValidationError(
            f"This file can't be used here. Please choose {ACCEPTED[MediaKind(kind)]}."
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    sha256 = digest.hexdigest()
    media = MediaAnswer(
        practice_id=occurrence.practice_id,
        client=client,
        occurrence=occurrence,
        field_id=field_id,
        kind=kind,
        content_type=content_type,
        size=size,
        sha256=sha256,
    )
    # Named by the row's id, never the uploaded name (which may carry the client's words).
    media.storage_path = (
        f"{occurrence.practice_id}/{client.pk}/{media.pk}.{EXTENSIONS[content_type]}"
    )
    path = media_path(media)
    path.parent.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        media.save()
        upload.seek(0)
        with path.open("xb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return media


def media_path(media: MediaAnswer) -> Path:
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    path = (root / media.storage_path).resolve()
    if root not in path.parents:  # never outside the private root
        raise ValidationError("Bad storage path.")
    return path


def media_file_remove(sender, instance: MediaAnswer, **kwargs) -> None:
    """Delete the file once the row's deletion is committed (a rollback keeps both)."""
    path = media_path(instance)
    transaction.on_commit(lambda: path.unlink(missing_ok=True))
