"""Signals other apps listen to without ``families`` importing them."""

from django.dispatch import Signal

# Sent after a membership is deleted (member removed, left, or account deleted), with
# ``membership`` (the deleted instance, family_id and user_id still set).
membership_removed = Signal()
