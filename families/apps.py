from django.apps import AppConfig


class FamiliesConfig(AppConfig):
    name = "families"
    verbose_name = "Families and accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from core.contributions import register_export_section, register_import_section

        from . import devices
        from .export import SECTIONS
        from .imports import IMPORT_SECTIONS
        from .models import ChildDevice

        post_delete.connect(devices.forget_device_user, sender=ChildDevice)
        for section in SECTIONS:
            register_export_section(section)
        for part in IMPORT_SECTIONS:
            register_import_section(part)
