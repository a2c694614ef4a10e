"""Deterministic demo and benchmark data: families, children, routines, a year of runs and
completions, and check-ins with strategies and outcomes.

    python manage.py seed_demo --families 1000 --days 365 --seed 1

This module is the one implementation; ``demo/management/commands/seed_demo.py`` is
its command-line face. Every family draws from its own ``random.Random(f"{seed}:{n}")``,
so family ``n`` is the same whatever else is seeded. Rows are written with ``bulk_create``
in batches with ids chosen here (no round trip to learn a run's id before writing its
completions); PostgreSQL sequences are reset afterwards. One password hash is computed
and shared by every seeded account, whose credentials are written to a JSON file for the
load test.
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone

from checkins.models import CheckIn, Strategy
from checkins.vocabulary import BODY_AREAS, EMOTIONS, SENSATIONS
from families.models import Child, Family, Membership, Role, User
from routines.models import Routine, RoutineRun, RoutineStep, StepCompletion

_M = TypeVar("_M", bound=models.Model)

DEMO_PASSWORD = "tandem-demo-password"
EMAIL_DOMAIN = "demo.tandem.test"
ZONES = ("Europe/Madrid", "Europe/London", "America/New_York", "America/Los_Angeles",
         "Asia/Tokyo", "Australia/Sydney", "UTC")  # fmt: skip
NAMES = ("Sam", "Alex", "Noa", "Lucía", "Mateo", "Maya", "Leo", "Aisha", "Yuki", "Omar",
         "Emma", "Hugo", "Zoe", "Kai", "Ines", "Theo", "Lina", "Ivan", "Mira", "Tom")  # fmt: skip
AVATARS = ("🦊", "🐼", "🦁", "🐸", "🐙", "🦄", "🐯", "🐨")
COLOURS = ("#6c8ebf", "#b85450", "#82b366", "#d6b656", "#9673a6", "#d79b00")
WEEKDAYS, WEEKEND, DAILY = [1, 2, 3, 4, 5], [6, 7], [1, 2, 3, 4, 5, 6, 7]
# (name, icon, days, start, step pool): each routine takes 4-10 steps from its pool in order.
TEMPLATES = (
    ("School morning", "🏫", WEEKDAYS, wall(7, 0),
     "🚽 Toilet,🚿 Wash face,👕 Get dressed,🥣 Breakfast,💊 Vitamins,🪥 Teeth,💇 Hair,"
     "🧦 Socks and shoes,🧥 Jacket,🎒 Bag,🥪 Lunch box,👋 Goodbye hug"),
    ("Bedtime", "🌙", DAILY, wall(19, 30),
     "🧸 Tidy toys,🛁 Bath,🩲 Pyjamas,🪥 Teeth,🚽 Toilet,💧 Glass of water,📖 Story,"
     "🗣️ Talk about the day,🤗 Cuddle,💡 Lights off"),
    ("After school", "🎒", WEEKDAYS, wall(16, 30),
     "👟 Shoes off,🧼 Wash hands,🍎 Snack,📚 Homework,🎹 Practice,🧩 Free play,"
     "🧺 Bag unpacked,📝 Reading log,🚲 Outside time,📵 Screens off"),
    ("Weekend morning", "☀️", WEEKEND, wall(8, 30),
     "🚽 Toilet,🥞 Breakfast,🪥 Teeth,👕 Get dressed,🛏️ Make bed,🌱 Water plants,"
     "🐶 Feed the dog,🧹 Help tidy,🎨 Quiet play,🌳 Go outside"),
    ("Dinner", "🍽️", DAILY, wall(18, 0),
     "🧼 Wash hands,🍴 Set the table,🪑 Sit together,🥦 Try the veggies,🗣️ Share one thing,"
     "🍽️ Plate to the sink,🧽 Wipe the table,🧃 Fill water bottle,🙏 Thank the cook,🎲 Game"),
    ("Tidy-up", "🧹", DAILY, wall(17, 30),
     "🧸 Toys away,📚 Books on the shelf,👕 Clothes in the basket,🖍️ Crayons in the box,"
     "🧦 Socks paired,🛏️ Bed straight,🗑️ Rubbish out,🪴 Plants watered,✅ Check,🎉 Dance"),
    ("Swimming", "🏊", [3], wall(17, 0),
     "🩱 Swimsuit,🧴 Towel,🥤 Water bottle,🚗 Car,🚿 Shower,🏊 Swim,🧢 Cap back,🍌 Snack,"
     "👂 Dry ears,🏠 Home"),
)  # fmt: skip
FEELINGS = [e.key for e in EMOTIONS]
# Unsettled feelings are what a caregiver most often checks in about.
FEELING_WEIGHTS = [3 if e.pleasantness == "unpleasant" else 2 for e in EMOTIONS]
OUTCOMES = ("better", "same", "worse", None)
OUTCOME_WEIGHTS = (55, 25, 8, 12)
NOTES = ("", "", "", "After school pick-up", "Sibling fight", "Lost a game", "Tired before bed")


@dataclass
class Shape:
    """How much to make per family; ``(low, high)`` pairs are inclusive ranges."""

    children: tuple[int, int] = (1, 3)
    routines: tuple[int, int] = (3, 6)
    steps: tuple[int, int] = (4, 10)
    checkins_per_day: tuple[int, int] = (2, 4)
    days: int = 365


@dataclass
class Result:
    counts: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    accounts: list[dict] = field(default_factory=list)


class Writer:
    """Buffers new rows and writes them in batches, one transaction per batch.

    Small tables go through ``bulk_create`` (``add``). The three that grow with every day
    of history (runs, completions, check-ins) take plain rows (``row``) written with one
    prepared ``INSERT`` and ``executemany`` (``COPY`` on PostgreSQL): building a model
    instance per row would cost more than writing it. Integer ids are chosen here,
    continuing after the largest id in each table, so a run's completions can go into the
    same batch as the run.
    """

    ORDER = (User, Family, Membership, Child, Routine, Routine.children.through,
             RoutineStep, RoutineRun, StepCompletion, CheckIn)  # fmt: skip
    ROWS = {
        RoutineRun: ("id", "routine", "child", "date", "started_at", "completed_at"),
        StepCompletion: ("id", "run", "step", "completed_by", "completed_at"),
        CheckIn: ("id", "family", "child", "member", "emotion", "intensity", "body_areas",
                  "note", "strategy", "created_by", "occurred_at", "created_at",
                  "follow_up_at", "outcome", "outcome_emotion", "outcome_at", "pair"),
    }  # fmt: skip

    def __init__(self, batch_size: int = 50_000) -> None:
        self.batch_size = batch_size
        self.pending: dict[type, list] = defaultdict(list)
        self.size = 0
        self.counts: Counter = Counter()
        self.next_ids = {
            model: (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1
            for model in self.ORDER
            if model is not CheckIn
        }
        self.inserts = {model: _Insert(model, names) for model, names in self.ROWS.items()}

    def new_id(self, model: type) -> int:
        pk = self.next_ids[model]
        self.next_ids[model] += 1
        return pk

    def add(self, obj: _M) -> _M:
        """Queue a model instance (given an id now) for ``bulk_create``."""
        if obj.pk is None and type(obj) in self.next_ids:
            obj.pk = self.new_id(type(obj))
        self._queue(type(obj), obj)
        return obj

    def row(self, model: type, *values: object) -> None:
        """Queue a row of ``ROWS[model]`` values (foreign keys as ids)."""
        self._queue(model, values)

    def _queue(self, model: type, item: object) -> None:
        self.pending[model].append(item)  # (hot path: kept flat)
        self.size += 1
        if self.size >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            for model in self.ORDER:
                items = self.pending.pop(model, [])
                if not items:
                    continue
                if model in self.inserts:
                    self.inserts[model].write(cursor, items)
                else:
                    model.objects.bulk_create(items, batch_size=2_000)
                self.counts[model._meta.label] += len(items)
        self.size = 0

    def close(self) -> None:
        """Write what is left and move PostgreSQL's id sequences past the chosen ids."""
        self.flush()
        statements = connection.ops.sequence_reset_sql(no_style(), list(self.next_ids))
        if connection.vendor == "postgresql":  # fresh planner statistics after a bulk load
            quote = connection.ops.quote_name
            statements.append("ANALYZE " + ", ".join(quote(m._meta.db_table) for m in self.ORDER))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


class _Insert:
    """One prepared ``INSERT`` for some columns of a model, on whichever database is in use."""

    def __init__(self, model: type[models.Model], names: tuple[str, ...]) -> None:
        quote = connection.ops.quote_name
        fields: list[models.Field[Any, Any]] = []
        quoted: list[str] = []
        for name in names:
            f = model._meta.get_field(name)
            assert isinstance(f, models.Field)  # a column of the table,
            assert f.column is not None  # not a relation's other side
            fields.append(f)
            quoted.append(quote(f.column))
        columns = ", ".join(quoted)
        marks = ", ".join(["%s"] * len(fields))
        table = quote(model._meta.db_table)
        # Names come from the model and are quoted; values go as parameters.
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        # Only dates, UUIDs and JSON need converting; ids, numbers and text go as they are.
        # The converters are looked up once: preparing values is most of the cost here.
        db = connections[DEFAULT_DB_ALIAS]
        self.prepare: list[tuple[int, Callable[[Any], Any]]] = []
        for i, f in enumerate(fields):
            if isinstance(f, models.DateTimeField):
                self.prepare.append((i, db.ops.adapt_datetimefield_value))
            elif isinstance(f, models.DateField):
                self.prepare.append((i, db.ops.adapt_datefield_value))
            elif isinstance(f, models.UUIDField | models.JSONField):
                self.prepare.append((i, partial(f.get_db_prep_save, connection=db)))

    def write(self, cursor: CursorWrapper, rows: list[tuple[Any, ...]]) -> None:
        prepared = []
        for row in rows:
            values = list(row)
            for i, convert in self.prepare:
                if values[i] is not None:
                    values[i] = convert(values[i])
            prepared.append(values)
        if connection.vendor == "postgresql":  # COPY: several times faster than INSERTs
            with cursor.cursor.copy(self.copy_sql) as copy:
                for values in prepared:
                    copy.write_row(values)
        else:
            cursor.executemany(self.sql, prepared)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


class FamilySeeder:
    """Writes one family and its history through a :class:`Writer`."""

    def __init__(self, writer: Writer, password_hash: str, strategies: list[Strategy]) -> None:
        self.w = writer
        self.password_hash = password_hash
        self.strategies = strategies
        self.fitting = {
            feeling: [s for s in strategies if feeling in (s.fits or []) and not s.caregiver_first]
            for feeling in FEELINGS
        }

    def family(self, rng: random.Random, shape: Shape, end: date | None = None) -> dict:
        """Seed one family; return the owner's account entry for the credentials file."""
        w = self.w
        zone_name = rng.choice(ZONES)
        family = w.add(Family(name=f"The {rng.choice(NAMES)}s", timezone=zone_name))
        zone = ZoneInfo(zone_name)
        end = end or timezone.now().astimezone(zone).date()
        first = end - timedelta(days=shape.days - 1)
        owner = w.add(self._user(f"owner.{family.pk}", "Parent"))
        members = [w.add(Membership(user=owner, family=family, role=Role.OWNER))]
        if rng.random() < 0.5:
            carer = w.add(self._user(f"carer.{family.pk}", "Grandma"))
            members.append(w.add(Membership(user=carer, family=family, role=Role.CAREGIVER)))
        kids = [
            w.add(
                Child(
                    family=family,
                    name=rng.choice(NAMES),
                    birth_year=end.year - rng.randint(2, 11),
                    avatar=rng.choice(AVATARS),
                    colour=rng.choice(COLOURS),
                )
            )
            for _ in range(rng.randint(*shape.children))
        ]
        created = datetime.combine(first, wall(6), tzinfo=zone).astimezone(UTC)
        for index in range(rng.randint(*shape.routines)):
            name, icon, days, start, pool = TEMPLATES[index % len(TEMPLATES)]
            routine = w.add(
                Routine(
                    family=family,
                    name=name if index < len(TEMPLATES) else f"{name} {index // len(TEMPLATES)}",
                    icon=icon,
                    days_of_week=days,
                    start_time=start,
                    reminder_offsets=[10, 0],
                    created_at=created,
                )
            )
            choices = pool.split(",")
            count = min(rng.randint(*shape.steps), len(choices))
            titles = [choices[i] for i in sorted(rng.sample(range(len(choices)), count))]
            steps = [
                w.add(
                    RoutineStep(
                        routine=routine,
                        position=pos,
                        icon=title.split(" ", 1)[0],
                        title=title.split(" ", 1)[1],
                        duration_minutes=rng.choice((None, 2, 3, 5, 10)),
                    )
                )
                for pos, title in enumerate(titles)
            ]
            chosen = [k for k in kids if rng.random() < 0.8] or kids[:1]
            for kid in chosen:
                w.add(Routine.children.through(routine_id=routine.pk, child_id=kid.pk))
            self._runs(rng, routine, [s.pk for s in steps], chosen, members, zone, first, end)
        for kid in kids:
            self._checkins(rng, family, kid, members[0], owner, zone, first, end, shape)
        return {"email": owner.email, "family": family.pk, "children": len(kids)}

    def _user(self, local: str, name: str) -> User:
        return User(email=f"{local}@{EMAIL_DOMAIN}", display_name=name, password=self.password_hash)

    def _runs(self, rng, routine, steps, kids, members, zone, first, end) -> None:
        day = first
        while day <= end:
            if day.isoweekday() in routine.days_of_week:
                for kid in kids:
                    self._run(rng, routine, steps, kid, members, zone, day, today=day == end)
            day += timedelta(days=1)

    def _run(self, rng, routine, steps, kid, members, zone, day, *, today: bool) -> None:
        if rng.random() > (0.5 if today else 0.85):
            return  # skipped that day (or not started yet today)
        if today:
            done = rng.randint(0, len(steps) - 1)
        else:
            done = len(steps) if rng.random() < 0.85 else rng.randint(0, len(steps) - 1)
        local = datetime.combine(day, routine.start_time, tzinfo=zone)
        at = local.astimezone(UTC) + timedelta(minutes=rng.randint(-5, 15))
        started = at if done else None
        times = []
        for _ in range(done):
            at += timedelta(seconds=rng.randint(40, 600))
            times.append(at)
        run = self.w.new_id(RoutineRun)
        finished = times[-1] if done == len(steps) else None
        self.w.row(RoutineRun, run, routine.pk, kid.pk, day, started, finished)
        by = rng.choice(members).user_id
        for step, completed_at in zip(steps, times, strict=False):
            self.w.row(StepCompletion, self.w.new_id(StepCompletion), run, step, by, completed_at)

    def _checkins(self, rng, family, kid, member, user, zone, first, end, shape) -> None:
        now = timezone.now()
        day = first
        while day <= end:
            morning = datetime.combine(day, wall(7), tzinfo=zone).astimezone(UTC)
            for _ in range(rng.randint(*shape.checkins_per_day)):
                occurred = morning + timedelta(seconds=rng.randint(0, 13 * 3600))
                if occurred > now:
                    continue
                self._checkin(rng, family, kid, member, user, occurred)
            day += timedelta(days=1)

    def _checkin(self, rng, family, kid, member, user, occurred) -> None:
        feeling = rng.choices(FEELINGS, FEELING_WEIGHTS)[0]
        fitting = self.fitting[feeling]
        strategy = rng.choice(fitting) if fitting and rng.random() < 0.6 else None
        follow_up = occurred + timedelta(minutes=10) if strategy else None
        outcome = rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0] if strategy else None
        areas = [
            f"{key}:{rng.choice(SENSATIONS)[0]}" if rng.random() < 0.5 else key
            for key, _ in rng.sample(BODY_AREAS, rng.randint(0, 2))
        ]
        checkin_id = _uuid(rng)
        pair = checkin_id if rng.random() < 0.1 else None  # coregulation: the adult too
        self.w.row(
            CheckIn, checkin_id, family.pk, kid.pk, None, feeling, rng.randint(1, 5), areas,
            rng.choice(NOTES), strategy.pk if strategy else None, user.pk, occurred, occurred,
            follow_up, outcome, "",
            follow_up + timedelta(minutes=rng.randint(0, 30)) if outcome and follow_up else None,
            pair,
        )  # fmt: skip
        if pair is not None:
            self.w.row(
                CheckIn, _uuid(rng), family.pk, None, member.pk,
                rng.choice(("frustrated", "tired", "worried", "calm")), rng.randint(1, 5), [],
                "", None, user.pk, occurred, occurred, None, None, "", None, pair,
            )  # fmt: skip


def seed(
    *,
    families: int = 1000,
    seed: int = 1,
    shape: Shape | None = None,
    end: date | None = None,
    password: str = DEMO_PASSWORD,
    credentials: Path | None = None,
    batch_size: int = 50_000,
    progress: bool = True,
    log: Callable[[str], object] = print,
) -> Result:
    """Seed ``families`` families and print how long it took and how many rows it wrote.

    ``end`` is the last day of history (default: each family's local today); the first is
    ``shape.days - 1`` days before it. Credentials of every owner go to ``credentials``.
    """
    shape = shape or Shape()
    started = time.perf_counter()
    writer = Writer(batch_size)
    strategies = list(Strategy.objects.filter(family__isnull=True))
    seeder = FamilySeeder(writer, make_password(password), strategies)
    result = Result()
    every = max(1, families // 20)  # a progress line per 5 %
    for n in range(families):
        result.accounts.append(seeder.family(random.Random(f"{seed}:{n}"), shape, end))
        if progress and (n + 1 == families or (n + 1) % every == 0):
            rows = sum(writer.counts.values()) + writer.size
            print(f"\r{n + 1:,}/{families:,} families, {rows:,} rows", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    writer.close()
    result.counts = writer.counts
    result.seconds = time.perf_counter() - started
    if credentials is not None:
        credentials.parent.mkdir(parents=True, exist_ok=True)
        credentials.write_text(
            json.dumps({"password": password, "accounts": result.accounts}, indent=1)
        )
    total = sum(result.counts.values())
    log(
        f"Seeded {families} families ({shape.days} days) in {result.seconds:.1f} s: "
        f"{total:,} rows, {total / max(result.seconds, 1e-9):,.0f} rows/s"
    )
    for label, count in sorted(result.counts.items(), key=lambda kv: -kv[1]):
        log(f"  {count:>12,}  {label}")
    return result
