"""Signals other apps listen to without ``families`` importing them."""

from django.dispatch import Signal

# Sent after a membership is deleted (member removed, left, or account deleted), with
# ``membership`` (the deleted instance, family_id and user_id still set).
membership_removed = Signal()

# Sent when a sitter opens a pass, with ``membership`` (the sitter's new membership): the
# care app puts the sitter on duty for the pass's children.
sitter_pass_opened = Signal()
