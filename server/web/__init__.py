"""The web app at ``/app/``: the enumerator's offline progressive web app, the reviewers' re-check screens
and the supervisors' progress, results, quality, ballot and conflict screens.

Pages are thin: one HTML shell, CSS and JavaScript written here (no build step, nothing third-party copied
in). The browser code talks to the same JSON API as devices (``/api/v1``, ``Authorization: Bearer``), so
every business rule and every role check stays in the existing services and views. May import Flask and
other ``server`` packages; nothing outside ``server`` and ``tests`` imports it.
"""
