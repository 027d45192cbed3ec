"""Results of a round: appraisal points, stored score runs, exports and the annual report.

Turns countable ballots (``server.ballots.countable``) and imported appraisal points (điểm thẩm
định) into each agency's satisfaction points and PAR index (Chỉ số CCHC), ranked and banded per
group, compared with the previous year, stored as a score run with its provenance, and exported
as CSV, XLSX and an HTML report with charts. All arithmetic is done by the ``scoring`` package;
this package only reads the database, calls ``scoring`` and presents the numbers.

May import ``scoring``, ``survey_forms``, ``sync`` and the other ``server`` packages; nothing imports
it except the app factory and the command line.
"""
