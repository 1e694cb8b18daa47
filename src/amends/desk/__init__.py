"""The agent's desk around a case: who else has it open, saved replies, the keyboard."""
