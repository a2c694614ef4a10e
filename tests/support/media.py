"""Real media for tests: pictures made with Pillow, recordings made by Chromium.

``tests/data/voice.webm`` (Opus) and ``tests/data/voice.mp4`` (Opus in fragmented MP4)
are 1.5 s recordings and ``long.webm`` a 31.5 s one, all recorded by Chromium's
MediaRecorder from its fake microphone, as the PWA records them.
"""

from __future__ import annotations

import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from families import media as rules

DATA = Path(__file__).resolve().parent.parent / "data"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def jpeg(width: int = 64, height: int = 48, colour: str = "tomato", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", **save)
    return out.getvalue()


def make_media(family, kind: str = "image", data: bytes | None = None, user=None):
    """A stored media of ``family`` (a small photo unless told otherwise)."""
    if data is None:
        data = jpeg(colour=f"#{family.pk % 255:02x}{(kind == 'image' and 80) or 0:02x}40")
    upload = SimpleUploadedFile("x", data)
    media, _created = rules.save_media(family=family, kind=kind, upload=upload, user=user)
    return media


def stored_files() -> list[str]:
    """Every file in the media storage, as sorted storage names."""
    files = rules.storage()
    found: list[str] = []

    def walk(folder: str) -> None:
        try:
            dirs, names = files.listdir(folder)
        except FileNotFoundError:  # nothing stored yet
            return
        found.extend(f"{folder}/{n}".lstrip("/") for n in names)
        for d in dirs:
            walk(f"{folder}/{d}".lstrip("/"))

    walk("")
    return sorted(found)
