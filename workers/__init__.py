"""Celery workers: the app, its queues and the thin tasks over ``campaign.*``."""
