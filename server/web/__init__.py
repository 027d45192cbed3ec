"""The web app: the enumerator's offline progressive web app, served by the Flask server at ``/app/``.

Pages are thin: HTML, CSS and JavaScript written here (no build step, nothing third-party copied in).
The browser code talks to the same JSON API as devices (``/api/v1``, ``Authorization: Bearer``), so
every business rule stays in the existing services. May import Flask and other ``server`` packages;
nothing outside ``server`` and ``tests`` imports it.
"""
