"""Django's ``makemessages``, also extracting ``N_("...")`` and ``K_("...")``: the English
msgids of data marked where it is defined (the feelings vocabulary, the built-in
strategies) and translated by key when shown; ``K_`` marks a child's feeling word."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [
        *makemessages.Command.xgettext_options,
        "--keyword=N_",
        '--keyword=K_:1,"A feeling word for children of 4 to 8, as they would say it."',
    ]
