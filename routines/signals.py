"""Signals other apps listen to (reminders reschedules when a routine changes).

``routine_changed`` is sent after the transaction that created, edited or deleted a
routine commits, with ``routine=`` (its children and steps already saved), ``created=``
and, for a deletion, ``deleted=True`` (the instance then keeps its old ``pk``).
"""

from django.dispatch import Signal

routine_changed = Signal()
