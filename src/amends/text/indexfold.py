"""The fold the trigram indexes are built with (pure).

Migrations s008 and i011 index text with its accented Latin and Greek letters replaced
by plain ones and the Greek final sigma by σ; case is left alone (FTS5's trigram
tokenizer and ``ILIKE`` fold it themselves) and every other script is kept as written.
PostgreSQL has this fold as the SQL function ``amends_fold`` (made by s008); SQLite
calls this module's :func:`index_fold` under the same name (``amends.db`` registers it
on every connection). Both must give the same text for the same input, and an index
built with one version of the table cannot be read with another: FTS5 deletes name the
old tokens. So the table below changes only together with a migration that rebuilds
every index built with it.
"""

from __future__ import annotations

ACCENTED = (
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆ"
    "ćĈĉĊċČčĎďĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĨĩĪīĬĭĮįİĴĵĶķĹĺĻļĽľŃńŅņŇňŌōŎŏŐő"
    "ŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽžΆΈΉΊΌΎΏΐΪΫάέήίΰϊϋόύ"
    "ώς"
)
PLAIN = (
    "aaaaaaceeeeiiiinooooouuuuyaaaaaaceeeeiiiinooooouuuuyyaaaaaac"
    "cccccccddeeeeeeeeeegggggggghhiiiiiiiiijjkkllllllnnnnnnoooooo"
    "rrrrrrssssssssttttuuuuuuuuuuuuwwyyyzzzzzzαεηιουωιιυαεηιυιυου"
    "ωσ"
)
_TABLE = str.maketrans(ACCENTED, PLAIN)


def index_fold(text: str | None) -> str | None:
    """``text`` as the indexes hold it; NULL stays NULL, as in SQL."""
    return None if text is None else text.translate(_TABLE)
