"""Family media through the API: uploads judged by content, private serving, references
from steps and children, and deletion that leaves no file behind."""

from __future__ import annotations

import base64
import io
import json
import struct
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from families import sitters
from families.models import Media, Membership, Role
from families.services import set_member_children
from routines.models import RoutineStep

from .conftest import client_for
from .support.factories import PASSWORD, ChildFactory, MembershipFactory, RoutineFactory
from .support.media import jpeg, make_media, ogg_opus, sample, stored_files

pytestmark = pytest.mark.django_db


def media_url(family, pk=None):
    base = f"/api/v1/families/{family.pk}/media/"
    return base if pk is None else f"{base}{pk}/"


def upload(client, family, data, kind="image", name="photo.jpg"):
    return client.post(
        media_url(family), {"file": _named(data, name), "kind": kind}, format="multipart"
    )


def _named(data, name):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_refused(response, *words):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    errors = response.json()["errors"]
    assert list(errors) == ["file"], errors
    for word in words:
        assert word in errors["file"][0], errors


def gps_jpeg(orientation=1, size=(80, 40)):
    image = Image.new("RGB", size, "navy")
    image.paste((255, 200, 0), (0, 0, size[0] // 2, size[1]))  # left half yellow
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (40.0, 25.0, 0.0), "W", (3.0, 42.0, 0.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


# --- Uploads ------------------------------------------------------------------------------


def test_a_photo_is_stored_upright_without_exif_or_gps_with_a_thumbnail(owner_client, family):
    original = gps_jpeg(orientation=6)  # "rotate 90° clockwise to view"
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS is really there
    response = upload(owner_client, family, original)
    assert response.status_code == 201, response.content
    media = response.json()
    assert media["kind"] == "image"
    assert media["bytes"] > 0
    assert (media["width"], media["height"]) == (40, 80)  # turned upright
    stored = owner_client.get(media["url"])
    assert stored.status_code == 200
    assert stored["Content-Type"] == "image/webp"
    picture = Image.open(io.BytesIO(body(stored)))
    assert picture.format == "WEBP"
    assert picture.size == (40, 80)
    assert not picture.getexif()
    assert "exif" not in picture.info
    assert "xmp" not in picture.info
    # The yellow half, left before turning, is now on top.
    assert picture.convert("RGB").getpixel((20, 5))[0] > 200
    assert picture.convert("RGB").getpixel((20, 75))[0] < 60
    thumb = Image.open(io.BytesIO(body(owner_client.get(media["thumbnail_url"]))))
    assert max(thumb.size) <= 256


def test_a_large_photo_is_scaled_to_1280_and_the_thumbnail_to_256(owner_client, family):
    response = upload(owner_client, family, jpeg(3000, 2000))
    media = response.json()
    assert (media["width"], media["height"]) == (1280, 853)
    thumb = Image.open(io.BytesIO(body(owner_client.get(media["thumbnail_url"]))))
    assert thumb.size == (256, 171)


def test_serving_is_private_immutable_nosniff_and_answers_304(owner_client, family):
    media = upload(owner_client, family, jpeg()).json()
    response = owner_client.get(media["url"])
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert media["url"].endswith(".webp")
    assert media["url"] != media["thumbnail_url"]
    again = owner_client.get(media["url"], headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    same = owner_client.get(media_url(family, media["id"]))
    assert same.status_code == 200
    assert body(same) == body(response)
    wrong = media["url"].replace(".webp", "0.webp")
    assert owner_client.get(wrong).status_code == 404
    # An <img> accepts only images: it still gets the file, and an error stays JSON.
    picky = owner_client.get(media["url"], headers={"Accept": "image/avif,image/webp"})
    assert picky.status_code == 200
    missing = owner_client.get(wrong, headers={"Accept": "image/webp"})
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json"


def test_the_same_content_again_is_the_same_media(owner_client, family):
    first = upload(owner_client, family, jpeg())
    second = upload(owner_client, family, jpeg())
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Media.objects.count() == 1
    assert len(stored_files()) == 2


def zip_named_jpg():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photo.jpg", jpeg())
    return out.getvalue()


def nested_moov(depth):
    """``moov`` boxes inside each other, ``depth`` deep (a parser that recursed would fail)."""
    return b"".join(struct.pack(">I4s", 8 * (depth - level), b"moov") for level in range(depth))


def bomb_png():
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # 64 megapixels in a few kB
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "kind", "words"),
    [
        (zip_named_jpg(), "image", ["not a photo"]),
        (b"GIF89a this is not really a gif", "image", ["not a photo"]),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n", "image", ["not a photo"]),
        (bomb_png(), "image", ["too many pixels"]),
        (jpeg(300, 300)[:400], "image", ["not a photo"]),
        (b"", "image", ["empty"]),
        (b"", "audio", ["empty"]),
        (jpeg(), "audio", ["not a recording"]),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 40, "audio", []),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40, "audio", []),
        (b"\x00\x00\x00\x0cftypmp42" + nested_moov(20_000), "audio", []),
        (sample("long.webm"), "audio", ["30 seconds"]),
        (ogg_opus(31), "audio", ["30 seconds"]),
        (sample("video.webm"), "audio", ["no sound"]),
        (b"OggS" + b"\x00" * 60, "audio", []),
    ],
    ids=[
        "zip",
        "fake-gif",
        "eps",
        "bomb",
        "truncated-jpeg",
        "empty-image",
        "empty-audio",
        "jpeg-as-audio",
        "ebml-junk",
        "ftyp-junk",
        "moov-in-moov",
        "too-long",
        "ogg-too-long",
        "video",
        "ogg-junk",
    ],
)
def test_bad_files_are_refused_naming_file_and_store_nothing(
    owner_client, family, data, kind, words
):
    assert_refused(upload(owner_client, family, data, kind=kind), *words)
    assert not Media.objects.exists()
    assert stored_files() == []


def test_a_decompression_bomb_warning_is_a_400_too(owner_client, family, settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 10**9  # only Pillow's own guard is left
    Image.MAX_IMAGE_PIXELS, before = 30_000_000, Image.MAX_IMAGE_PIXELS
    try:
        assert_refused(upload(owner_client, family, bomb_png()), "too many pixels")
    finally:
        Image.MAX_IMAGE_PIXELS = before


def test_recordings_from_chromium_are_accepted_webm_and_mp4(owner_client, family):
    for name, content_type in (("voice.webm", "audio/webm"), ("voice.mp4", "audio/mp4")):
        response = upload(owner_client, family, sample(name), kind="audio", name=name)
        assert response.status_code == 201, response.content
        media = response.json()
        assert media["kind"] == "audio"
        assert media["thumbnail_url"] is None
        assert 1.3 <= media["duration_seconds"] <= 1.8, (name, media["duration_seconds"])
        served = owner_client.get(media["url"])
        assert served["Content-Type"] == content_type
        assert body(served) == sample(name)


def test_an_ogg_opus_recording_is_accepted(owner_client, family):
    response = upload(owner_client, family, ogg_opus(2), kind="audio", name="v.ogg")
    assert response.status_code == 201, response.content
    assert response.json()["duration_seconds"] == pytest.approx(2, abs=0.05)
    assert owner_client.get(response.json()["url"])["Content-Type"] == "audio/ogg"


def test_audio_over_the_size_limit_is_refused(owner_client, family, settings):
    settings.MEDIA_AUDIO_MAX_BYTES = 2000
    assert_refused(upload(owner_client, family, sample("voice.webm"), kind="audio"), "too large")
    assert stored_files() == []


def test_an_upload_declaring_too_large_a_body_is_a_400_before_it_is_read(
    owner_client, family, settings
):
    settings.MEDIA_IMAGE_UPLOAD_MAX_BYTES = settings.MEDIA_AUDIO_MAX_BYTES = 10_000
    response = upload(owner_client, family, jpeg(900, 900, quality=100) + b"\0" * 200_000)
    assert_refused(response, "too large")


def test_the_family_quota_is_a_clear_400(owner_client, family, settings):
    first = upload(owner_client, family, jpeg(colour="red")).json()
    settings.MEDIA_FAMILY_QUOTA_BYTES = first["bytes"] + 10
    assert_refused(upload(owner_client, family, jpeg(colour="blue")), "Delete some")
    assert Media.objects.count() == 1


def test_ranges_of_a_recording(owner_client, family):
    media = upload(owner_client, family, sample("voice.webm"), kind="audio").json()
    whole = sample("voice.webm")
    part = owner_client.get(media["url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert body(part) == whole[:100]
    assert part["Content-Range"] == f"bytes 0-99/{len(whole)}"
    tail = owner_client.get(media["url"], headers={"Range": "bytes=-10"})
    assert tail.status_code == 206
    assert body(tail) == whole[-10:]
    rest = owner_client.get(media["url"], headers={"Range": "bytes=100-"})
    assert body(rest) == whole[100:]
    outside = owner_client.get(media["url"], headers={"Range": f"bytes={len(whole)}-"})
    assert outside.status_code == 416


def test_the_app_may_use_camera_and_microphone_itself_only(owner_client):
    policy = owner_client.get("/api/v1/auth/csrf/")["Permissions-Policy"]
    assert "camera=(self)" in policy
    assert "microphone=(self)" in policy
    assert "geolocation=()" in policy


# --- Who may read ---------------------------------------------------------------------------


def test_another_family_gets_404(family, owner, outsider_client):
    media = make_media(family, user=owner)
    assert outsider_client.get(media_url(family, media.pk)).status_code == 404
    file_url = f"{media_url(family, media.pk)}{media.file.rsplit('/', 1)[-1]}"
    assert outsider_client.get(file_url).status_code == 404
    assert outsider_client.delete(media_url(family, media.pk)).status_code == 404


@pytest.fixture
def sam_and_lu(family):
    return ChildFactory(family=family, name="Sam"), ChildFactory(family=family, name="Lu")


def test_a_member_limited_to_sam_cannot_read_lus_media(family, owner, sam_and_lu):
    sam, lu = sam_and_lu
    lus_photo = make_media(family, data=jpeg(colour="red"), user=owner)
    lu.photo = lus_photo
    lu.save()
    lus_step_photo = make_media(family, data=jpeg(colour="green"), user=owner)
    routine = RoutineFactory(family=family, children=[lu], steps=1)
    routine.steps.update(photo=lus_step_photo)
    sams_voice = make_media(family, kind="audio", data=sample("voice.webm"), user=owner)
    RoutineFactory(family=family, children=[sam], steps=1).steps.update(voice=sams_voice)
    unused_by_owner = make_media(family, data=jpeg(colour="blue"), user=owner)

    membership = MembershipFactory(family=family, role=Role.CAREGIVER)
    set_member_children(membership, [sam])
    client = client_for(membership.user)
    for hidden in (lus_photo, lus_step_photo, unused_by_owner):
        assert client.get(media_url(family, hidden.pk)).status_code == 404
    assert client.get(media_url(family, sams_voice.pk)).status_code == 200
    mine = upload(client, family, jpeg(colour="white")).json()
    assert client.get(mine["url"]).status_code == 200
    # Nor may they attach Lu's photo to Sam's step to see it.
    sams = client.get(f"/api/v1/families/{family.pk}/routines/").json()["results"][0]
    sams["steps"][0]["photo"] = lus_photo.pk
    response = client.put(
        f"/api/v1/families/{family.pk}/routines/{sams['id']}/", sams, format="json"
    )
    assert response.status_code in (400, 405)
    response = client.patch(
        f"/api/v1/families/{family.pk}/routines/{sams['id']}/",
        {"steps": sams["steps"]},
        format="json",
    )
    assert response.status_code == 400
    assert "steps.0.photo" in response.json()["errors"]


def test_a_sitter_may_read_the_media_of_the_pass_children(family, owner, sam_and_lu):
    sam, _lu = sam_and_lu
    photo = make_media(family, user=owner)
    sam.photo = photo
    sam.save()
    issued = sitters.create_pass(
        membership=Membership.objects.get(family=family, user=owner),
        children=[sam],
        starts_at=timezone.now() - timedelta(hours=1),
        ends_at=timezone.now() + timedelta(hours=3),
    )
    client = client_for(sitters.redeem(token=issued.token, name="Grandma").user)
    assert client.get(media_url(family, photo.pk)).status_code == 200
    assert client.delete(media_url(family, photo.pk)).status_code == 403
    assert upload(client, family, jpeg(colour="pink")).status_code == 403


# --- References from steps and children -------------------------------------------------------


def routine_body(child, **step):
    return {
        "name": "Bedtime",
        "children": [child.pk],
        "days_of_week": [1, 2, 3, 4, 5, 6, 7],
        "start_time": "19:30",
        "steps": [{"title": "Brush teeth", **step}, {"title": "Story"}],
    }


def test_steps_carry_a_photo_and_a_voice_and_the_board_shows_them(
    owner_client, family, child, django_assert_max_num_queries
):
    photo = upload(owner_client, family, jpeg()).json()
    voice = upload(owner_client, family, sample("voice.webm"), kind="audio").json()
    url = f"/api/v1/families/{family.pk}/routines/"
    created = owner_client.post(
        url, routine_body(child, photo=photo["id"], voice=voice["id"]), format="json"
    )
    assert created.status_code == 201, created.content
    step = created.json()["steps"][0]
    assert (step["photo"], step["voice"]) == (photo["id"], voice["id"])
    assert step["photo_url"] == photo["url"]
    assert step["voice_url"] == voice["url"]
    assert step["photo_thumbnail_url"] == photo["thumbnail_url"]
    assert created.json()["steps"][1]["photo_url"] is None
    child_answer = owner_client.patch(
        f"/api/v1/families/{family.pk}/children/{child.pk}/", {"photo": photo["id"]}, format="json"
    )
    assert child_answer.status_code == 200
    assert child_answer.json()["photo_url"] == photo["url"]
    board = owner_client.get(f"/api/v1/families/{family.pk}/today/").json()
    entry = board["children"][0]
    assert entry["child"]["photo_url"] == photo["url"]
    board_step = entry["routines"][0]["steps"][0]
    assert board_step["photo_url"] == photo["url"]
    assert board_step["voice_url"] == voice["url"]
    assert entry["routines"][0]["now_step"]["voice_url"] == voice["url"]


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"photo": "voice"}, "steps.0.photo"),
        ({"voice": "photo"}, "steps.0.voice"),
        ({"photo": "other"}, "steps.0.photo"),
        ({"photo": 10**20}, "steps.0.photo"),
        ({"voice": "x"}, "steps.0.voice"),
    ],
)
def test_a_step_refuses_the_wrong_kind_or_another_familys_media(
    owner_client, family, child, other_family, step, field
):
    ids = {
        "photo": make_media(family).pk,
        "voice": make_media(family, kind="audio", data=sample("voice.webm")).pk,
        "other": make_media(other_family).pk,
    }
    step = {k: ids.get(v, v) for k, v in step.items()}
    response = owner_client.post(
        f"/api/v1/families/{family.pk}/routines/", routine_body(child, **step), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_a_child_photo_must_be_a_photo_of_the_family(owner_client, family, child, other_family):
    url = f"/api/v1/families/{family.pk}/children/{child.pk}/"
    voice = make_media(family, kind="audio", data=sample("voice.webm"))
    for value in (voice.pk, make_media(other_family).pk, "x"):
        response = owner_client.patch(url, {"photo": value}, format="json")
        assert response.status_code == 400
        assert "photo" in response.json()["errors"]
    photo = make_media(family)
    assert owner_client.patch(url, {"photo": photo.pk}, format="json").json()["photo"] == photo.pk
    cleared = owner_client.patch(url, {"photo": None}, format="json").json()
    assert cleared["photo"] is None
    assert cleared["photo_url"] is None
    assert not Media.objects.filter(pk=photo.pk).exists()  # nothing else used it


# --- Deletion leaves no file --------------------------------------------------------------------


@pytest.fixture
def with_media(family, owner, child, owner_client, django_capture_on_commit_callbacks):
    """A routine whose first step has a photo and a voice, and a child with a photo."""
    photo = make_media(family, data=jpeg(colour="red"), user=owner)
    voice = make_media(family, kind="audio", data=sample("voice.webm"), user=owner)
    child_photo = make_media(family, data=jpeg(colour="blue"), user=owner)
    routine = owner_client.post(
        f"/api/v1/families/{family.pk}/routines/",
        routine_body(child, photo=photo.pk, voice=voice.pk),
        format="json",
    ).json()
    child.photo = child_photo
    child.save()
    assert len(stored_files()) == 5  # two pictures with thumbnails, a recording

    def deleting(action):
        with django_capture_on_commit_callbacks(execute=True):
            response = action()
        assert response.status_code == 204, response.content
        return stored_files()

    return routine, deleting


def test_removing_a_step_deletes_its_media(with_media, owner_client, family):
    routine, deleting = with_media
    url = f"/api/v1/families/{family.pk}/routines/{routine['id']}/"

    class Patched:
        status_code = 204

    def patch():
        response = owner_client.patch(url, {"steps": [routine["steps"][1]]}, format="json")
        assert response.status_code == 200
        return Patched

    left = deleting(patch)
    assert len(left) == 2
    assert Media.objects.count() == 1


def test_deleting_a_routine_a_child_a_family_or_an_account_leaves_no_file(
    with_media, owner_client, family, child
):
    routine, deleting = with_media
    base = f"/api/v1/families/{family.pk}/"
    assert len(deleting(lambda: owner_client.delete(f"{base}routines/{routine['id']}/"))) == 2
    assert deleting(lambda: owner_client.delete(f"{base}children/{child.pk}/")) == []
    assert not Media.objects.exists()


def test_deleting_a_family_leaves_no_file(with_media, owner_client, family):
    _routine, deleting = with_media
    assert (
        deleting(
            lambda: owner_client.delete(
                f"/api/v1/families/{family.pk}/", {"password": PASSWORD}, format="json"
            )
        )
        == []
    )


def test_deleting_the_only_members_account_leaves_no_file(with_media, owner_client):
    _routine, deleting = with_media
    assert (
        deleting(
            lambda: owner_client.delete("/api/v1/auth/me/", {"password": PASSWORD}, format="json")
        )
        == []
    )


def test_deleting_a_media_clears_the_step_that_showed_it(with_media, owner_client, family):
    routine, deleting = with_media
    step = RoutineStep.objects.get(pk=routine["steps"][0]["id"])
    left = deleting(lambda: owner_client.delete(media_url(family, step.photo_id)))
    assert len(left) == 3
    step.refresh_from_db()
    assert step.photo_id is None
    assert step.voice_id is not None


# --- Export and import -----------------------------------------------------------------------


def test_the_export_carries_the_media_and_an_import_restores_them(
    with_media, owner_client, family, child
):
    exported = owner_client.get(f"/api/v1/families/{family.pk}/export/")
    doc = json.loads(b"".join(exported.streaming_content))
    assert [m["kind"] for m in doc["media"]] == ["image", "audio", "image"]
    voice = next(m for m in doc["media"] if m["kind"] == "audio")
    assert base64.b64decode(voice["data"]) == sample("voice.webm")
    assert doc["children"][0]["photo"] == child.photo_id
    step = doc["routines"][0]["steps"][0]
    assert {step["photo"], step["voice"]} <= {m["id"] for m in doc["media"]}

    handle = io.BytesIO(json.dumps(doc).encode())
    handle.name = "export.json"
    imported = owner_client.post("/api/v1/families/import/", {"file": handle}, format="multipart")
    assert imported.status_code == 201, imported.content
    new_id = imported.json()["family"]["id"]
    assert imported.json()["counts"]["media"] == 3
    routine = owner_client.get(f"/api/v1/families/{new_id}/routines/").json()["results"][0]
    restored = owner_client.get(routine["steps"][0]["voice_url"])
    assert body(restored) == sample("voice.webm")
    kid = owner_client.get(f"/api/v1/families/{new_id}/children/").json()["results"][0]
    assert owner_client.get(kid["photo_thumbnail_url"]).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda doc: doc["media"][0].update(data="not base64!"), "media.0.data"),
        (lambda doc: doc["media"][0].update(data="UEsDBA=="), "media.0.data"),  # a zip's start
        (lambda doc: doc["children"][0].update(photo=10**9), "children.0.photo"),
        (
            lambda doc: doc["routines"][0]["steps"][0].update(voice=doc["media"][0]["id"]),
            "routines.0.steps.0.voice",
        ),
    ],
)
def test_an_import_checks_the_media_before_writing_anything(
    with_media, owner_client, family, change, field
):
    exported = owner_client.get(f"/api/v1/families/{family.pk}/export/")
    doc = json.loads(b"".join(exported.streaming_content))
    change(doc)
    before = set(stored_files())
    handle = io.BytesIO(json.dumps(doc).encode())
    handle.name = "export.json"
    response = owner_client.post("/api/v1/families/import/", {"file": handle}, format="multipart")
    assert response.status_code == 400
    assert field in response.json()["errors"], response.json()
    assert set(stored_files()) == before


def test_an_import_that_fails_while_writing_leaves_no_file(
    with_media, owner_client, family, settings
):
    exported = owner_client.get(f"/api/v1/families/{family.pk}/export/")
    doc = json.loads(b"".join(exported.streaming_content))
    before = set(stored_files())
    settings.MEDIA_FAMILY_QUOTA_BYTES = doc["media"][0]["bytes"] + 10  # the second is over
    handle = io.BytesIO(json.dumps(doc).encode())
    handle.name = "export.json"
    response = owner_client.post("/api/v1/families/import/", {"file": handle}, format="multipart")
    assert response.status_code == 400
    assert set(stored_files()) == before
    assert Media.objects.filter(family__isnull=False).exclude(family=family).count() == 0
