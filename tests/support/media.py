"""Real media for tests: pictures made with Pillow, recordings made by Chromium.

``tests/data/voice.webm`` (Opus) and ``tests/data/voice.mp4`` (Opus in fragmented MP4)
are 1.5 s recordings and ``long.webm`` a 31.5 s one, all recorded by Chromium's
MediaRecorder from its fake microphone, as the PWA records them; ``video.webm`` is its
camera and microphone together (a video, which a voice prompt must not be). Chromium
records no Ogg, so ``ogg_opus`` writes an Ogg Opus container with mutagen's page writer.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from mutagen.ogg import OggPage
from PIL import Image

from families import media as rules

DATA = Path(__file__).resolve().parent.parent / "data"


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def jpeg(width: int = 64, height: int = 48, colour: str = "tomato", **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", **save)
    return out.getvalue()


def ogg_opus(seconds: float) -> bytes:
    """An Ogg Opus stream of ``seconds`` (20 ms packets; the length is in the last
    page's granule position, as in any Ogg Opus file)."""
    serial, pre_skip = 0x7A4D, 312

    def page(packets: list[bytes], sequence: int, granule: int, **flags: bool) -> bytes:
        written = OggPage()
        written.serial, written.sequence, written.position = serial, sequence, granule
        written.packets = packets
        written.first = flags.get("first", False)
        written.last = flags.get("last", False)
        return written.write()

    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, pre_skip, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 6) + b"tandem" + struct.pack("<I", 0)
    frames = round(seconds / 0.02)
    pages = [page([head], 0, 0, first=True), page([tags], 1, 0)]
    per_page = 200  # a page holds at most 255 packets this small
    for start in range(0, frames, per_page):
        count = min(per_page, frames - start)
        granule = pre_skip + (start + count) * 960
        last = start + count == frames
        pages.append(page([b"\xf8\xff\xfe"] * count, len(pages), granule, last=last))
    return b"".join(pages)


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
