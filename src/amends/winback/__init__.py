"""Persisting after a failure: win-back sequences for lost customers and watch periods
after a recovery (playbook principle 8)."""
