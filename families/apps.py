from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families and accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from core.contributions import (
            MediaUse,
            register_export_section,
            register_import_section,
            register_media_use,
        )

        from . import devices, media
        from .export import SECTIONS
        from .imports import IMPORT_SECTIONS
        from .models import Child, ChildDevice, Media

        post_delete.connect(media.media_deleted, sender=Media, dispatch_uid="media-files")
        post_delete.connect(media.child_deleted, sender=Child, dispatch_uid="child-photo")
        register_media_use(MediaUse("children.photo", "child_photos", "child_photos"))

        post_delete.connect(devices.forget_device_user, sender=ChildDevice)
        for section in SECTIONS:
            register_export_section(section)
        for part in IMPORT_SECTIONS:
            register_import_section(part)
