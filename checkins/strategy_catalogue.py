"""Built-in calming strategies, written for Tandem.

Everyday coregulation ideas for caregivers of children aged about 2 to 12: the adult
steadies themselves, notices and names the feeling, and offers something calming the
child can borrow. Plain Python data with no Django imports, so a data migration, the
models and the API can share it. ``key`` values are stable: never rename one.

Content rule: describe what to do and that many families find it helps. No medical or
physiological claims.
"""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from .vocabulary import EMOTION_KEYS, EMOTIONS, QUADRANT_KEYS

CATALOGUE_VERSION = 1

NOT_MEDICAL_ADVICE = N_(
    "Everyday calming ideas for families, not medical advice. "
    "If you are worried about your child, talk to a health professional."
)

KINDS: tuple[str, ...] = (
    "breathing",
    "grounding",
    "movement",
    "comfort",
    "presence",
    "environment",
    "routine",
    "mindfulness",
    "modelling",
)
GUIDED_PATTERNS: tuple[str, ...] = ("box-4-4-4-4", "belly-4-6")

_BIG_UNCOMFORTABLE = [e.key for e in EMOTIONS if e.quadrant == "high_unpleasant"]
_LOW_UNCOMFORTABLE = [e.key for e in EMOTIONS if e.quadrant == "low_unpleasant"]

BUILTIN_STRATEGIES: tuple[dict[str, Any], ...] = (
    {
        "key": "caregiver_three_breaths",
        "title": N_("Take three slow breaths yourself first"),
        "kind": "breathing",
        "summary": N_(
            "Before you help your child, steady yourself: your calm is what they borrow."
        ),
        "steps": [
            N_("Pause before you speak or act."),
            N_("Breathe in slowly through your nose."),
            N_("Breathe out even more slowly, as if you were sighing."),
            N_("Do it three times, then turn to your child."),
        ],
        "fits": [*_BIG_UNCOMFORTABLE, *_LOW_UNCOMFORTABLE],
        "energy_fit": ["high_unpleasant", "low_unpleasant"],
        "age_note": N_("For you, the grown-up, at any age your child is."),
        "guided": "belly-4-6",
        "caregiver_first": True,
    },
    {
        "key": "eye_level_name_it",
        "title": N_("Get down to eye level and name the feeling"),
        "kind": "presence",
        "summary": N_(
            "Come close, get low, and put the feeling into words so your child feels seen."
        ),
        "steps": [
            N_("Kneel or sit so your eyes are level with your child's."),
            N_("Use a soft, slow voice."),
            N_('Name what you see: "You look really mad that the tower fell."'),
            N_("Wait. Let them correct you or add to it."),
            N_('Let them know the feeling is okay: "It makes sense to feel that way."'),
        ],
        "fits": [
            "angry",
            "furious",
            "frustrated",
            "worried",
            "anxious",
            "scared",
            "overwhelmed",
            "jealous",
            "sad",
            "lonely",
            "disappointed",
            "hurt",
            "embarrassed",
            "left_out",
        ],
        "energy_fit": ["high_unpleasant", "low_unpleasant"],
        "age_note": N_("Any age; with toddlers keep it to one or two words."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "say_what_happens_next",
        "title": N_("Say what happens next"),
        "kind": "routine",
        "summary": N_("Knowing what comes next makes a change feel smaller and easier to manage."),
        "steps": [
            N_('Give a gentle warning: "Five more minutes, then bath."'),
            N_('Use first-then words: "First teeth, then story."'),
            N_("Point to the next step on the Today board, or let your child tap it."),
            N_("Keep the order the same each day where you can."),
        ],
        "fits": ["worried", "anxious", "scared", "overwhelmed", "frustrated", "tired"],
        "energy_fit": ["high_unpleasant", "low_unpleasant"],
        "age_note": N_("From about 2; pictures help younger children."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "calm_out_loud",
        "title": N_("Show your calm out loud"),
        "kind": "modelling",
        "summary": N_(
            "Name your own feeling and how you are calming it, so your child can copy you."
        ),
        "steps": [
            N_('Say how you feel: "I\'m feeling frustrated too."'),
            N_('Say what you will do: "I\'m going to take a big breath."'),
            N_("Breathe in and out so your child can see and hear it."),
            N_('Say how it went: "That helped a bit. Want to try with me?"'),
        ],
        "fits": ["angry", "furious", "frustrated", "worried", "anxious", "overwhelmed", "scared"],
        "energy_fit": ["high_unpleasant"],
        "age_note": N_("Any age; children learn a lot by watching you."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "hug_or_hold_hands",
        "title": N_("Offer a hug or to hold hands"),
        "kind": "comfort",
        "summary": (
            N_('A warm touch can say "I\'m here" when words are too much, if your child wants it.')
        ),
        "steps": [
            N_('Ask first: "Would a hug help, or holding hands?"'),
            N_("If the answer is no, stay close and try again later."),
            N_("If yes, hold them gently and slow your own breathing."),
            N_("Let your child decide when to let go."),
        ],
        "fits": [
            "sad",
            "lonely",
            "hurt",
            "scared",
            "worried",
            "disappointed",
            "left_out",
            "overwhelmed",
            "loved",
            "safe",
        ],
        "energy_fit": ["low_unpleasant", "high_unpleasant"],
        "age_note": N_("Any age; always let the child say yes or no."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "sit_together",
        "title": N_("Just sit together"),
        "kind": "presence",
        "summary": N_(
            "Stay nearby without fixing anything, so your child knows they are not alone."
        ),
        "steps": [
            N_("Sit down near your child, at their level."),
            N_('Keep quiet, or say: "I\'m right here. Take your time."'),
            N_("Don't ask questions yet."),
            N_("When they look ready, offer a drink of water or a hand."),
        ],
        "fits": [
            "sad",
            "lonely",
            "hurt",
            "embarrassed",
            "disappointed",
            "left_out",
            "furious",
            "overwhelmed",
        ],
        "energy_fit": ["low_unpleasant", "high_unpleasant"],
        "age_note": N_("Any age; older children may want a little more space."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "five_senses",
        "title": N_("5-4-3-2-1 senses"),
        "kind": "grounding",
        "summary": N_("Find things with each sense, one by one, to bring attention back to here."),
        "steps": [
            N_("Name 5 things you can see."),
            N_("Name 4 things you can touch."),
            N_("Name 3 things you can hear."),
            N_("Name 2 things you can smell."),
            N_("Name 1 thing you can taste, or one thing you like."),
        ],
        "fits": ["worried", "anxious", "scared", "overwhelmed", "frustrated"],
        "energy_fit": ["high_unpleasant"],
        "age_note": N_("From about 5; with younger children do just the seeing part together."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "feet_on_the_floor",
        "title": N_("Feet on the floor"),
        "kind": "grounding",
        "summary": N_("Press your feet down and notice the ground holding you up."),
        "steps": [
            N_("Stand or sit with both feet flat on the floor, or on the grass outside."),
            N_("Press your feet down hard, then let them go soft."),
            N_("Wiggle your toes and notice how the ground feels."),
            N_('Say together: "My feet are on the ground. I\'m right here."'),
        ],
        "fits": ["anxious", "worried", "scared", "overwhelmed", "angry", "energetic"],
        "energy_fit": ["high_unpleasant", "high_pleasant"],
        "age_note": N_("From about 3; younger children can copy you."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "three_sounds",
        "title": N_("Notice three sounds"),
        "kind": "mindfulness",
        "summary": N_("Listen quietly together and count three sounds, near or far."),
        "steps": [
            N_("Sit still together and close your eyes if that feels okay."),
            N_("Listen for one sound close by."),
            N_("Listen for one sound far away."),
            N_("Find one more, then share what you each heard."),
        ],
        "fits": ["worried", "anxious", "bored", "calm", "relaxed", "peaceful", "curious"],
        "energy_fit": ["low_pleasant", "high_unpleasant"],
        "age_note": N_("From about 4; keep it short and playful."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "box_breathing",
        "title": N_("Box breathing"),
        "kind": "breathing",
        "summary": N_(
            "Breathe around the four sides of a box: in, hold, out, hold, four counts each."
        ),
        "steps": [
            N_("Trace a square in the air or on a table with one finger."),
            N_("Breathe in for 4 along the first side."),
            N_("Hold for 4 along the second side."),
            N_("Breathe out for 4 along the third side."),
            N_("Hold for 4 along the last side, then go round again a few times."),
        ],
        "fits": ["angry", "frustrated", "worried", "anxious", "scared", "overwhelmed", "jealous"],
        "energy_fit": ["high_unpleasant"],
        "age_note": N_("From about 6; younger children can trace the box while you count."),
        "guided": "box-4-4-4-4",
        "caregiver_first": False,
    },
    {
        "key": "belly_breathing",
        "title": N_("Balloon belly breathing"),
        "kind": "breathing",
        "summary": N_(
            "Breathe in for 4 to fill a balloon in your belly, and out for 6 to let it go."
        ),
        "steps": [
            N_("Put a hand, or a soft toy, on your tummy."),
            N_("Breathe in for 4 and watch the balloon fill up."),
            N_("Breathe out for 6, slow as a leaking balloon."),
            N_("Do it together five times."),
        ],
        "fits": [
            "angry",
            "furious",
            "worried",
            "anxious",
            "scared",
            "overwhelmed",
            "excited",
            "silly",
            "energetic",
            "sad",
        ],
        "energy_fit": ["high_unpleasant", "high_pleasant"],
        "age_note": N_("From about 3; lying down with a toy on the tummy works well."),
        "guided": "belly-4-6",
        "caregiver_first": False,
    },
    {
        "key": "gentle_stretch",
        "title": N_("Gentle stretch"),
        "kind": "movement",
        "summary": N_("Reach up tall, fold down slowly, and let the body loosen a little."),
        "steps": [
            N_("Stand up and reach your arms high, like picking apples."),
            N_("Slowly fold down and let your arms hang."),
            N_("Roll back up one bit at a time."),
            N_("Roll your shoulders a few times and shake out your hands."),
        ],
        "fits": ["frustrated", "tired", "bored", "energetic", "relaxed", "overwhelmed"],
        "energy_fit": ["low_unpleasant", "high_pleasant"],
        "age_note": N_("From about 2; make it a game of copying each other."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "childs_pose",
        "title": N_("Curl up like a mouse (child's pose)"),
        "kind": "movement",
        "summary": N_("A small, curled-up yoga rest that many children find cosy and settling."),
        "steps": [
            N_("Kneel on the floor and sit back on your heels."),
            N_("Fold forward and rest your forehead on the floor or a cushion."),
            N_("Let your arms rest by your sides or stretch them forward."),
            N_("Stay small and quiet for a few slow breaths."),
        ],
        "fits": ["overwhelmed", "embarrassed", "tired", "sad", "worried", "cosy", "peaceful"],
        "energy_fit": ["low_unpleasant", "high_unpleasant"],
        "age_note": N_("From about 3; do it side by side."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "tree_pose",
        "title": N_("Stand like a tree"),
        "kind": "movement",
        "summary": N_(
            "Balance on one leg with arms as branches, a yoga pose that needs slow focus."
        ),
        "steps": [
            N_("Stand on one foot and rest the other foot on your ankle or leg."),
            N_("Put your hands together, then grow your branches up high."),
            N_("Look at one spot that doesn't move."),
            N_("Sway gently like a tree in the wind, then swap legs."),
        ],
        "fits": ["silly", "energetic", "excited", "frustrated", "bored", "brave", "proud"],
        "energy_fit": ["high_pleasant", "high_unpleasant"],
        "age_note": N_("From about 4; hold a wall or your hand for balance."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "shake_it_out",
        "title": N_("Shake it out"),
        "kind": "movement",
        "summary": N_("Shake hands, arms and legs hard, then stop and stand very still."),
        "steps": [
            N_("Shake your hands fast, counting down from 5."),
            N_("Shake your arms, then one leg, then the other."),
            N_("Shake your whole body like a wet dog."),
            N_("Freeze, stand still, and notice how you feel now."),
        ],
        "fits": ["angry", "frustrated", "jealous", "energetic", "silly", "excited", "bored"],
        "energy_fit": ["high_unpleasant", "high_pleasant"],
        "age_note": N_("From about 2; great to do together and a little bit loud."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "squeeze_and_let_go",
        "title": N_("Squeeze and let go"),
        "kind": "movement",
        "summary": N_("Squeeze hands into tight fists, then let them go soft and floppy."),
        "steps": [
            N_("Make two tight fists, as if squeezing lemons."),
            N_("Squeeze hard while you count to 5."),
            N_("Drop the lemons and let your hands go floppy."),
            N_("Try it with shoulders up to your ears, then let them drop."),
        ],
        "fits": ["angry", "furious", "frustrated", "anxious", "worried", "jealous"],
        "energy_fit": ["high_unpleasant"],
        "age_note": N_("From about 3; younger children can copy you."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "quiet_corner",
        "title": N_("A quiet corner"),
        "kind": "environment",
        "summary": N_("A cosy spot your child can choose to go to, with you nearby if they want."),
        "steps": [
            N_("Set up a corner with cushions, a blanket and a few soft things."),
            N_("Offer it as a choice, never as a punishment."),
            N_("Stay close or check in softly, as your child prefers."),
            N_("Let them come back when they are ready."),
        ],
        "fits": ["overwhelmed", "furious", "embarrassed", "tired", "sad", "anxious", "cosy"],
        "energy_fit": ["high_unpleasant", "low_unpleasant"],
        "age_note": N_("From about 2; older children may help design their own."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "dim_lights_lower_noise",
        "title": N_("Dim the lights, lower the noise"),
        "kind": "environment",
        "summary": N_("Make the room softer: less light, less sound, fewer things going on."),
        "steps": [
            N_("Turn off the TV or music, or turn it right down."),
            N_("Switch to a lamp or dim the lights."),
            N_("Move away from crowds or busy rooms if you can."),
            N_("Speak slowly and quietly yourself."),
        ],
        "fits": ["overwhelmed", "anxious", "tired", "furious", "excited", "silly"],
        "energy_fit": ["high_unpleasant", "high_pleasant", "low_unpleasant"],
        "age_note": N_("Any age; especially helpful before bedtime."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "comfort_object",
        "title": N_("A favourite soft thing"),
        "kind": "comfort",
        "summary": N_("A favourite toy, blanket or soft jumper to hold can feel like a small hug."),
        "steps": [
            N_("Ask which soft thing they would like."),
            N_("Wrap up in the blanket or hold the toy close."),
            N_('Let the toy "breathe" with them, up and down.'),
            N_("Keep it handy for bedtime and trips."),
        ],
        "fits": ["lonely", "scared", "sad", "tired", "left_out", "hurt", "cosy", "safe"],
        "energy_fit": ["low_unpleasant", "low_pleasant"],
        "age_note": N_("From about 1; plenty of older children like it too."),
        "guided": None,
        "caregiver_first": False,
    },
    {
        "key": "savour_good_moment",
        "title": N_("Savour the good moment"),
        "kind": "mindfulness",
        "summary": N_(
            "Pause together on a good feeling and name it, so it's easier to find again."
        ),
        "steps": [
            N_('Name it: "You look really proud right now."'),
            N_("Ask where they feel it and what it's like."),
            N_("Take one slow breath together to soak it in."),
            N_("Share one thing you are thankful for today."),
        ],
        "fits": [
            "happy",
            "proud",
            "brave",
            "surprised",
            "curious",
            "excited",
            "calm",
            "relaxed",
            "content",
            "safe",
            "grateful",
            "loved",
            "peaceful",
            "cosy",
        ],
        "energy_fit": ["high_pleasant", "low_pleasant"],
        "age_note": N_("Any age; toddlers enjoy hearing you name it for them."),
        "guided": None,
        "caregiver_first": False,
    },
)

BUILTIN_STRATEGIES_BY_KEY: dict[str, dict[str, Any]] = {s["key"]: s for s in BUILTIN_STRATEGIES}

_REQUIRED_FIELDS: dict[str, type | tuple[type, ...]] = {
    "key": str,
    "title": str,
    "kind": str,
    "summary": str,
    "steps": list,
    "fits": list,
    "energy_fit": list,
    "age_note": str,
    "guided": (str, type(None)),
    "caregiver_first": bool,
}


def _shape_problems(name: str, strategy: dict[str, Any]) -> list[str]:
    """Missing, mistyped or unexpected fields of one catalogue entry."""
    problems = [
        f"{name}: missing field {field!r}"
        if field not in strategy
        else f"{name}: field {field!r} has the wrong type"
        for field, expected in _REQUIRED_FIELDS.items()
        if field not in strategy or not isinstance(strategy[field], expected)
    ]
    extra = set(strategy) - set(_REQUIRED_FIELDS)
    if extra:
        problems.append(f"{name}: unexpected fields {sorted(extra)}")
    return problems


def _content_problems(strategy: dict[str, Any]) -> list[str]:
    """What is wrong with a well-shaped entry's key, kind, steps, fits and texts."""
    key = strategy["key"]
    fits = strategy["fits"]
    checks = [
        (
            not key or key != key.lower() or not key.replace("_", "").isalnum(),
            "key must be a lowercase snake_case slug",
        ),
        (strategy["kind"] not in KINDS, f"unknown kind {strategy['kind']!r}"),
        (
            strategy["guided"] is not None and strategy["guided"] not in GUIDED_PATTERNS,
            f"unknown guided pattern {strategy['guided']!r}",
        ),
        (
            not 2 <= len(strategy["steps"]) <= 6,
            f"needs 2 to 6 steps, has {len(strategy['steps'])}",
        ),
        (
            not all(isinstance(step, str) and step.strip() for step in strategy["steps"]),
            "every step must be non-empty text",
        ),
        (not fits, "fits no emotion"),
        (
            any(k not in EMOTION_KEYS for k in fits),
            f"fits unknown emotions {[k for k in fits if k not in EMOTION_KEYS]}",
        ),
        (len(set(fits)) != len(fits), "fits lists an emotion twice"),
        (
            not strategy["energy_fit"]
            or any(q not in QUADRANT_KEYS for q in strategy["energy_fit"]),
            f"bad energy_fit {strategy['energy_fit']}",
        ),
    ]
    problems = [f"{key}: {message}" for failed, message in checks if failed]
    problems += [
        f"{key}: empty {field}"
        for field in ("title", "summary", "age_note")
        if not strategy[field].strip()
    ]
    return problems


def shown_title(key: str, title: str) -> str:
    """A strategy's title in the active language when it is a built-in's, as written
    otherwise (a family's own strategy keeps the words it was given)."""
    entry = BUILTIN_STRATEGIES_BY_KEY.get(key)
    return gettext(title) if entry is not None and entry["title"] == title else title


def validate_catalogue() -> None:
    """Check the built-in catalogue is consistent; raise ``ValueError`` listing every problem."""
    problems: list[str] = []
    seen: set[str] = set()
    for index, strategy in enumerate(BUILTIN_STRATEGIES):
        shape = _shape_problems(strategy.get("key", f"#{index}"), strategy)
        if shape:
            problems.extend(shape)
            continue
        if strategy["key"] in seen:
            problems.append(f"{strategy['key']}: duplicate key")
        seen.add(strategy["key"])
        problems.extend(_content_problems(strategy))
    if "caregiver_three_breaths" not in seen:
        problems.append("missing the caregiver_three_breaths strategy")
    caregiver_first = [s["key"] for s in BUILTIN_STRATEGIES if s.get("caregiver_first")]
    if caregiver_first != ["caregiver_three_breaths"]:
        problems.append(
            f"only caregiver_three_breaths may be caregiver_first, got {caregiver_first}"
        )
    if problems:
        raise ValueError("Invalid strategy catalogue:\n" + "\n".join(problems))


def strategies_for_emotion(emotion_key: str) -> list[dict[str, Any]]:
    """Built-in strategies that fit ``emotion_key``, caregiver-first ones leading (copies)."""
    matches = [s for s in BUILTIN_STRATEGIES if emotion_key in s["fits"]]
    matches.sort(key=lambda s: not s["caregiver_first"])
    return copy.deepcopy(matches)
