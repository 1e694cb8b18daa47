"""The message coach: checks recovery messages for ownership, excuses and blame, and
drafts good ones, in English, Thai, Slovak and Greek."""
