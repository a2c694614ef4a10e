"""Print a fresh VAPID key pair as environment lines (for production and compose)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reminders.vapid import generate_key_pair


class Command(BaseCommand):
    help = "Print a new VAPID key pair: VAPID_PRIVATE_KEY=… and VAPID_PUBLIC_KEY=…"

    def handle(self, *args: Any, **options: Any) -> None:
        private, public = generate_key_pair()
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
