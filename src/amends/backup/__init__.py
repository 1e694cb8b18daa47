"""Backups of a whole workspace (database and files) and restoring one."""
