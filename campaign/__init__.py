"""Scheduler for digital advocacy campaigns: plan, render and publish weekly cards, truthfully."""

__version__ = "0.1.0"
