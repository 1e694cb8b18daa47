"""A customer's personal data: export it, erase it, and erase closed cases after a while."""
