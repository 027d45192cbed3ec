"""The device side of parsurvey and the wire contract it shares with the server.

What lives here: the list of error codes every API answer can carry (``sync.codes``), and, as the
sync work lands, the batch/envelope protocol, the device outbox and the device CLI.

May import: the standard library and ``survey_forms``. Never ``server``, Flask, SQLAlchemy or pandas:
this package must install on a small device.
"""
