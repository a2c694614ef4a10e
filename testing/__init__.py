"""Test support shared by ``tests/`` and ``bench/``: real servers started on loopback
(Redis, Celery, PostgreSQL, gunicorn), the local push service, the URL map and query
sampling. It imports product code; no product module imports it.
"""
