"""The media storage on an S3-compatible object store: moto's standalone server, spoken to
over HTTP by django-storages and boto3 exactly as MinIO or S3 would be."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import boto3
import pytest

from testing.servers import MotoServer, free_port

from .conftest import skip_or_fail
from .support.factories import PASSWORD
from .support.media import jpeg, sample

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

BUCKET = "tandem-media-test"
KEYS = {"access_key": "testing", "secret_key": "testing"}


@pytest.fixture(scope="module")
def moto():
    try:
        server = MotoServer().start()
    except FileNotFoundError as exc:
        skip_or_fail(str(exc))
    yield server
    server.stop()


@pytest.fixture
def bucket(moto, settings):
    client = boto3.client(
        "s3",
        endpoint_url=moto.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    name = f"{BUCKET}-{free_port()}"
    client.create_bucket(Bucket=name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": name,
                "endpoint_url": moto.url,
                "region_name": "us-east-1",
                "default_acl": None,
                "file_overwrite": False,
                **KEYS,
            },
        },
    }

    def keys():
        listed = client.list_objects_v2(Bucket=name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    keys.client = client
    keys.name = name
    return keys


def _upload(client, family, data, kind, filename):
    handle = io.BytesIO(data)
    handle.name = filename
    return client.post(
        f"/api/v1/families/{family.pk}/media/", {"file": handle, "kind": kind}, format="multipart"
    )


def _body(response):
    return b"".join(response.streaming_content)


def test_upload_serve_and_delete_through_the_bucket(
    bucket, owner_client, family, django_capture_on_commit_callbacks
):
    photo = _upload(owner_client, family, jpeg(), "image", "a.jpg")
    voice = _upload(owner_client, family, sample("voice.webm"), "audio", "v.webm")
    assert photo.status_code == 201, photo.content
    assert voice.status_code == 201, voice.content
    assert len(bucket()) == 3  # the photo, its thumbnail, the recording
    for key in bucket():
        grants = bucket.client.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
        assert not [g for g in grants if "AllUsers" in str(g.get("Grantee", {}))]
    served = owner_client.get(voice.json()["url"])
    assert served.status_code == 200
    assert "Location" not in served  # streamed by the app, never a redirect to the bucket
    assert _body(served) == sample("voice.webm")
    ranged = owner_client.get(voice.json()["url"], headers={"Range": "bytes=4-9"})
    assert ranged.status_code == 206
    assert _body(ranged) == sample("voice.webm")[4:10]
    picture = owner_client.get(photo.json()["thumbnail_url"])
    assert picture["Content-Type"] == "image/webp"
    assert _body(picture)[:4] == b"RIFF"

    voice_url = f"/api/v1/families/{family.pk}/media/{voice.json()['id']}/"
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.delete(voice_url).status_code == 204
    assert len(bucket()) == 2


def test_deleting_a_family_leaves_no_object_in_the_bucket(
    bucket, owner_client, family, child, django_capture_on_commit_callbacks
):
    photo = _upload(owner_client, family, jpeg(colour="red"), "image", "a.jpg").json()
    voice = _upload(owner_client, family, sample("voice.mp4"), "audio", "v.mp4").json()
    _upload(owner_client, family, jpeg(colour="blue"), "image", "unused.jpg")
    owner_client.post(
        f"/api/v1/families/{family.pk}/routines/",
        {
            "name": "Bedtime",
            "children": [child.pk],
            "days_of_week": [1, 2, 3, 4, 5, 6, 7],
            "start_time": "19:30",
            "steps": [{"title": "Teeth", "photo": photo["id"], "voice": voice["id"]}],
        },
        format="json",
    )
    assert len(bucket()) == 5
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.delete(
            f"/api/v1/families/{family.pk}/", {"password": PASSWORD}, format="json"
        )
    assert response.status_code == 204
    assert bucket() == []


def test_the_environment_selects_the_bucket():
    """``MEDIA_S3_*`` in the environment make the S3 storage the default, private."""
    code = (
        "import json, django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "django.setup(); from django.conf import settings;"
        "print(json.dumps(settings.STORAGES['default']))"
    )
    env = {
        **os.environ,
        "MEDIA_S3_BUCKET": "family-media",
        "MEDIA_S3_ENDPOINT_URL": "http://minio:9000",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    default = json.loads(out.stdout.strip().splitlines()[-1])
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "family-media"
    assert default["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert default["OPTIONS"]["default_acl"] is None
