"""A family's media: photos and voice recordings, checked by content and stored privately.

Every upload is judged by its bytes, never by its name or declared type. An image must
open in Pillow as JPEG, PNG, WebP or GIF within ``MEDIA_MAX_IMAGE_PIXELS`` (a larger one,
or one Pillow calls a decompression bomb, is refused before it is decoded); it is stored
re-encoded as WebP, turned upright by its EXIF orientation and without any metadata (no
EXIF, so no GPS), its longest side at most ``IMAGE_MAX_SIDE``, with a thumbnail. A
recording must be WebM/Matroska, MP4 or Ogg audio by its container signature, with a
duration read from the container of at most ``MEDIA_AUDIO_MAX_SECONDS``; it is stored as
uploaded (the browser's own Opus or AAC). Every stored file counts against the family's
``MEDIA_FAMILY_QUOTA_BYTES``. Anything refused is a 400 naming ``file`` and stores nothing.

Files live in the ``default`` storage (``STORAGES``: a folder under ``DATA_DIR``, or an
S3-compatible bucket) under names made of the content's hash, so a URL never changes
content and is cached as immutable. Files are deleted after the deleting transaction
commits, so a rolled-back deletion never loses a file; a media that nothing uses any
more once its step or child is gone goes with it (``release``).
"""

from __future__ import annotations

import hashlib
import io
import struct
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

import mutagen
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from mutagen import MutagenError
from PIL import Image, ImageOps, UnidentifiedImageError

from core.api import validation_error
from core.contributions import media_uses

from .models import Child, Family, Media, MediaKind, User, new_board_version

IMAGE_MAX_SIDE = 1280
THUMBNAIL_SIDE = 256
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
WEBP_QUALITY = 82
AUDIO_TYPES = {"webm": "audio/webm", "mp4": "audio/mp4", "ogg": "audio/ogg"}


def media_url(family_id: int, media_id: int, name: str) -> str | None:
    """The URL of one stored file of a media (``name`` its storage name), or None."""
    if not name:
        return None
    return reverse(
        "media-file",
        kwargs={"family_id": family_id, "pk": media_id, "name": name.rsplit("/", 1)[-1]},
    )


def storage() -> Storage:
    """Where media files live (read at each call: tests and settings may change it)."""
    return storages["default"]


# --- Checking and re-encoding -------------------------------------------------------------


@dataclass(frozen=True)
class Encoded:
    """What will be stored for one upload."""

    kind: str
    content_type: str
    extension: str
    data: bytes
    thumbnail: bytes = b""
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def bytes(self) -> int:
        return len(self.data) + len(self.thumbnail)


def _refuse(message: str) -> Exception:
    return validation_error("file", message)


def read_upload(upload: IO[bytes], limit: int) -> bytes:
    """The upload's bytes, at most ``limit`` of them (else a 400 on ``file``)."""
    data = upload.read(limit + 1)
    if not data:
        raise _refuse(_("The file is empty."))
    if len(data) > limit:
        raise _refuse(
            _("The file is too large (at most %(size)s MB).") % {"size": _megabytes(limit)}
        )
    return data


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.3g}"


def encode_image(data: bytes) -> Encoded:
    """``data`` as a stored photo: upright, no metadata, bounded in size, with a thumbnail."""
    not_image = _("This file is not a photo Tandem can read (use JPEG, PNG, WebP or GIF).")
    too_big = _("This picture has too many pixels.")
    limit = settings.MEDIA_MAX_IMAGE_PIXELS
    with warnings.catch_warnings():
        # Pillow warns of a possible decompression bomb before failing: refuse either.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as opened:
                if opened.width * opened.height > limit:
                    raise _refuse(too_big)
                opened.load()
                image = ImageOps.exif_transpose(opened)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse(too_big) from None
        except (
            UnidentifiedImageError,
            OSError,
            EOFError,
            ValueError,
            SyntaxError,
            struct.error,
            KeyError,
            IndexError,
            TypeError,
        ):  # the decoders' ways of saying "not an image I can read"
            raise _refuse(not_image) from None
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    image = image.convert(mode)
    full = _webp(image, IMAGE_MAX_SIDE)
    width, height = full[1]
    return Encoded(
        kind=MediaKind.IMAGE,
        content_type="image/webp",
        extension="webp",
        data=full[0],
        thumbnail=_webp(image, THUMBNAIL_SIDE)[0],
        width=width,
        height=height,
    )


def _webp(image: Image.Image, side: int) -> tuple[bytes, tuple[int, int]]:
    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No exif= and no xmp=: Pillow writes none, so nothing of the camera's metadata stays.
    copy.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue(), copy.size


def encode_audio(data: bytes) -> Encoded:
    """``data`` as a stored voice prompt: a WebM, MP4 or Ogg recording of at most
    ``MEDIA_AUDIO_MAX_SECONDS``, checked by its container and stored as it came."""
    container = audio_container(data)
    if container is None:
        raise _refuse(_("This file is not a recording Tandem can play (WebM, MP4 or Ogg)."))
    seconds = audio_duration(container, data)
    if seconds is None or seconds <= 0:
        raise _refuse(_("This recording has no sound in it Tandem can read."))
    limit = settings.MEDIA_AUDIO_MAX_SECONDS
    if seconds > limit + 0.5:  # the recorder stops at the limit, a frame or two late
        raise _refuse(_("A voice prompt is at most %(seconds)s seconds long.") % {"seconds": limit})
    return Encoded(
        kind=MediaKind.AUDIO,
        content_type=AUDIO_TYPES[container],
        extension=container,
        data=data,
        duration_ms=max(1, round(seconds * 1000)),
    )


def audio_container(data: bytes) -> str | None:
    """``webm``, ``mp4`` or ``ogg`` by the file's signature, or None."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:4] == b"OggS":
        return "ogg"
    return None


def audio_duration(container: str, data: bytes) -> float | None:
    """Seconds of audio, read from the container (None: not an audio file after all)."""
    try:
        if container == "webm":
            return webm_duration(data)
        if container == "mp4":
            return mp4_duration(data)
        return _mutagen_duration(data)
    except (ValueError, IndexError, struct.error, OverflowError):
        return None


def _mutagen_duration(data: bytes) -> float | None:
    try:
        parsed = mutagen.File(io.BytesIO(data))
    except (MutagenError, ValueError, IndexError, struct.error):
        return None
    if parsed is None or not type(parsed).__name__.startswith("Ogg"):
        return None
    if "video" in type(parsed).__name__.lower() or "theora" in type(parsed).__name__.lower():
        return None
    return float(parsed.info.length)


# EBML ids (WebM is Matroska): master elements whose children are read in place.
_EBML, _SEGMENT, _CLUSTER, _INFO, _TRACKS, _TRACK_ENTRY, _BLOCK_GROUP = (
    0x1A45DFA3,
    0x18538067,
    0x1F43B675,
    0x1549A966,
    0x1654AE6B,
    0xAE,
    0xA0,
)
_MASTERS = {_SEGMENT, _CLUSTER, _INFO, _TRACKS, _TRACK_ENTRY, _BLOCK_GROUP}
_DOC_TYPE, _TIMECODE_SCALE, _DURATION, _CLUSTER_TIME, _SIMPLE_BLOCK, _BLOCK = (
    0x4282,
    0x2AD7B1,
    0x4489,
    0xE7,
    0xA3,
    0xA1,
)
_TRACK_TYPE, _AUDIO_TRACK = 0x83, 2


def _vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """An EBML variable-length integer at ``pos``: (value, next position, all ones)."""
    first = data[pos]
    if first == 0:
        raise ValueError("bad EBML length")
    length = 9 - first.bit_length()
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    if pos + length > len(data):
        raise ValueError("truncated")
    unknown = not keep_marker and value == (1 << (7 * length)) - 1
    return value, pos + length, unknown


def webm_duration(data: bytes) -> float | None:  # noqa: C901  (a branch per element kind)
    """Seconds of a WebM/Matroska audio file, or None if it is not one.

    Browsers write recordings live, so the segment's Duration is usually missing and
    sizes are "unknown": the file is read as a flat run of elements, descending into
    segments, clusters and block groups, and the duration is the last block's time.
    """
    pos, scale, declared, cluster_time, last = 0, 1_000_000, None, 0, None
    doc_type, track_types = b"", []
    while pos < len(data):
        element, pos, _unknown = _vint(data, pos, keep_marker=True)
        size, pos, unknown = _vint(data, pos, keep_marker=False)
        if element == _EBML:
            end = pos + size
            inner = pos
            while inner < end:
                child, inner, _u = _vint(data, inner, keep_marker=True)
                child_size, inner, _u = _vint(data, inner, keep_marker=False)
                if child == _DOC_TYPE:
                    doc_type = data[inner : inner + child_size].rstrip(b"\0")
                inner += child_size
            pos = end
            continue
        if element in _MASTERS or unknown:
            continue  # read its children next, in place
        payload = data[pos : pos + size]
        if len(payload) < size:
            break  # a recording cut short: what was read so far counts
        if element == _TIMECODE_SCALE:
            scale = int.from_bytes(payload, "big")
        elif element == _DURATION:
            declared = struct.unpack(">f" if size == 4 else ">d", payload)[0]
        elif element == _TRACK_TYPE:
            track_types.append(int.from_bytes(payload, "big"))
        elif element == _CLUSTER_TIME:
            cluster_time = int.from_bytes(payload, "big")
        elif element in (_SIMPLE_BLOCK, _BLOCK):
            _track, after, _u = _vint(payload, 0, keep_marker=False)
            relative = struct.unpack(">h", payload[after : after + 2])[0]
            block_time = cluster_time + relative
            last = block_time if last is None else max(last, block_time)
        pos += size
    if doc_type not in (b"webm", b"matroska"):
        return None
    if not track_types or any(kind != _AUDIO_TRACK for kind in track_types):
        return None  # a video, or no tracks at all
    if declared:
        return declared * scale / 1e9
    if last is None:
        return None
    # The last block starts at ``last``; an Opus frame lasts 20 ms.
    return (last * scale) / 1e9 + 0.02


_MP4_MAX_DEPTH = 8  # moof > traf > trun is the deepest an audio file needs
_MP4_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"moof", b"traf", b"mvex"}


def _boxes(data: bytes, start: int, end: int, depth: int) -> Iterable[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of the MP4 boxes between ``start`` and ``end``,
    ``depth`` boxes deep (at most ``_MP4_MAX_DEPTH``)."""
    if depth > _MP4_MAX_DEPTH:
        raise ValueError("MP4 boxes nested too deep")
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header:
            raise ValueError("bad MP4 box")
        yield kind, pos + header, min(pos + size, end)
        pos += size


def mp4_duration(data: bytes) -> float | None:  # noqa: C901  (a branch per box kind)
    """Seconds of an MP4 audio file (plain or fragmented, as browsers record), or None.

    A fragmented file declares no duration; its length is the end of the last fragment
    (``tfdt`` plus the durations in ``trun``) in the track's time scale.
    """
    handlers: list[bytes] = []
    timescale = movie_scale = movie_duration = 0
    default_duration = 0
    end_time = 0

    def walk(start: int, end: int, depth: int = 0) -> None:
        nonlocal timescale, movie_scale, movie_duration, default_duration, end_time
        base = 0
        fragment_default = default_duration
        for kind, begin, finish in _boxes(data, start, end, depth):
            body = data[begin:finish]
            if kind in _MP4_CONTAINERS:
                walk(begin, finish, depth + 1)
            elif kind == b"mvhd":
                if body[0] == 1:
                    movie_scale, movie_duration = struct.unpack(">IQ", body[20:32])
                else:
                    movie_scale, movie_duration = struct.unpack(">II", body[12:20])
            elif kind == b"mdhd":
                timescale = struct.unpack(">I", body[20:24] if body[0] == 1 else body[12:16])[0]
            elif kind == b"hdlr":
                handlers.append(body[8:12])
            elif kind == b"trex":
                default_duration = struct.unpack(">I", body[12:16])[0]
            elif kind == b"tfhd":
                flags = int.from_bytes(body[1:4], "big")
                offset = 8 + (8 if flags & 0x1 else 0) + (4 if flags & 0x2 else 0)
                if flags & 0x8:
                    fragment_default = struct.unpack(">I", body[offset : offset + 4])[0]
            elif kind == b"tfdt":
                base = struct.unpack(
                    ">Q" if body[0] == 1 else ">I", body[4:12] if body[0] == 1 else body[4:8]
                )[0]
            elif kind == b"trun":
                end_time = max(end_time, base + _trun_duration(body, fragment_default))

    walk(0, len(data))
    if not handlers or any(handler != b"soun" for handler in handlers):
        return None  # a video, or no track at all
    if end_time and timescale:
        return end_time / timescale
    if movie_duration and movie_scale:
        return movie_duration / movie_scale
    return None


def _trun_duration(body: bytes, default: int) -> int:
    flags = int.from_bytes(body[1:4], "big")
    count = struct.unpack(">I", body[4:8])[0]
    pos = 8 + (4 if flags & 0x1 else 0) + (4 if flags & 0x4 else 0)
    fields = [flags & bit for bit in (0x100, 0x200, 0x400, 0x800)]
    stride = 4 * sum(1 for present in fields if present)
    if not fields[0]:
        return count * default
    total = 0
    for _index in range(count):
        total += struct.unpack(">I", body[pos : pos + 4])[0]
        pos += stride
    return total


def encode(kind: str, upload: IO[bytes]) -> Encoded:
    """Check and re-encode an upload of ``kind`` (``image`` or ``audio``)."""
    if kind == MediaKind.IMAGE:
        return encode_image(read_upload(upload, settings.MEDIA_IMAGE_UPLOAD_MAX_BYTES))
    return encode_audio(read_upload(upload, settings.MEDIA_AUDIO_MAX_BYTES))


# --- Storing --------------------------------------------------------------------------------


def family_usage(family: Family) -> int:
    """Bytes the family's media take in storage."""
    return Media.objects.filter(family=family).aggregate(total=Sum("bytes"))["total"] or 0


def _write(name: str, data: bytes) -> None:
    """Store ``data`` under exactly ``name`` (a content hash: an existing file is the same)."""
    files = storage()
    if files.exists(name):
        return
    saved = files.save(name, ContentFile(data))
    if saved != name:  # a concurrent upload of the same content won: keep one copy
        files.delete(saved)


def save_media(
    *, family: Family, kind: str, upload: IO[bytes], user: User | None
) -> tuple[Media, bool]:
    """Check, re-encode and store an upload for ``family``: (media, created).

    The same content uploaded again (a retry) answers the stored media and stores
    nothing twice. Over the family's quota is a 400 on ``file``.
    """
    return store(family=family, encoded=encode(kind, upload), user=user)


def store(*, family: Family, encoded: Encoded, user: User | None) -> tuple[Media, bool]:
    """Store checked, re-encoded content for ``family`` (see ``save_media``)."""
    digest = encoded.sha256
    existing = Media.objects.filter(family=family, sha256=digest).first()
    if existing is not None:
        return existing, False
    stem = f"media/{family.pk}/{digest[:32]}"
    name = f"{stem}.{encoded.extension}"
    thumbnail = f"{stem}-thumb.webp" if encoded.thumbnail else ""
    with transaction.atomic():
        # One upload at a time per family, so two cannot both fit the last megabytes.
        Family.objects.select_for_update().filter(pk=family.pk).first()
        quota = settings.MEDIA_FAMILY_QUOTA_BYTES
        if family_usage(family) + encoded.bytes > quota:
            raise _refuse(
                _(
                    "This family's photos and recordings are using all of its %(size)s MB. "
                    "Delete some first."
                )
                % {"size": _megabytes(quota)}
            )
        try:
            with transaction.atomic():
                media = Media.objects.create(
                    family=family,
                    kind=encoded.kind,
                    file=name,
                    thumbnail=thumbnail,
                    content_type=encoded.content_type,
                    sha256=digest,
                    bytes=encoded.bytes,
                    width=encoded.width,
                    height=encoded.height,
                    duration_ms=encoded.duration_ms,
                    uploaded_by=user,
                )
        except IntegrityError:  # the same content, uploaded at the same moment
            return Media.objects.get(family=family, sha256=digest), False
        _write(name, encoded.data)
        if thumbnail:
            _write(thumbnail, encoded.thumbnail)
    return media, True


def file_bytes(name: str) -> bytes:
    """A stored file's bytes (the export)."""
    with storage().open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def stored_names(media: Media) -> list[str]:
    return [name for name in (media.file, media.thumbnail) if name]


def delete_files(names: Iterable[str]) -> None:
    """Remove files from storage now (a missing one is no error)."""
    files = storage()
    for name in names:
        files.delete(name)


def delete_family_files(family_id: int) -> None:
    """Remove every file stored for a family (after an import that rolled back)."""
    files = storage()
    try:
        _dirs, names = files.listdir(f"media/{family_id}")
    except FileNotFoundError:
        return
    delete_files(f"media/{family_id}/{name}" for name in names)


def media_deleted(instance: Media, **kwargs: Any) -> None:
    """A media row went (directly or with its family): its files go once that commits,
    and the Today board, which shows its URL, changes.

    Another row of the same family may never hold the same content (one row per hash),
    so no other media shares these files.
    """
    Family.objects.filter(pk=instance.family_id).update(board_version=new_board_version())
    transaction.on_commit(partial(delete_files, stored_names(instance)))


def child_deleted(instance: Child, **kwargs: Any) -> None:
    """A child went: its photo goes too, unless something else uses it."""
    release([instance.photo_id])


def unused(queryset: Any) -> Any:
    """The media of ``queryset`` that nothing registered (a step, a child) uses."""
    for use in media_uses():
        queryset = queryset.filter(**{f"{use.reference}__isnull": True})
    return queryset


def release(media_ids: Iterable[int | None]) -> None:
    """Delete those of ``media_ids`` that nothing uses any more (their step or child
    went, or was given another photo). Media uploaded but never used are kept."""
    ids = {pk for pk in media_ids if pk is not None}
    if ids:
        for media in unused(Media.objects.filter(pk__in=ids)):
            media.delete()


def visible_media(child_ids: frozenset[int], user_id: int | None) -> Q:
    """The media a member limited to ``child_ids`` may see: what a visible child's photo
    or step uses, and what they uploaded themselves."""
    condition = Q(uploaded_by_id=user_id) if user_id is not None else Q(pk__in=[])
    for use in media_uses():
        condition |= Q(**{f"{use.child_lookup}__in": child_ids})
    return condition
