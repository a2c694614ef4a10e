"""Demo data: deterministic families with a year of history, to try Tandem (``manage.py
seed_demo``) and to benchmark it. Above the domain apps, below the frontend."""
