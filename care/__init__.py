"""Care passed between adults: who is on duty for a child, handovers with what happened,
and a care log per child. Above routines and check-ins (it summarises both), below
reminders (which route a child's reminders to whoever is on duty)."""
