"""OpenRosa: stock ODK clients (ODK Collect, Enketo, KoboCollect) as enumerator devices.

The server URL an enumerator types into ODK Collect is ``<base>/openrosa``. The client lists forms
(``GET /openrosa/formList``), downloads each XForm (``GET /openrosa/forms/<form_id>/<version>.xml``),
and sends filled instances (``HEAD`` then ``POST /openrosa/submission``), which enter the same intake
as the JSON sync protocol: validation, duplicates, conflicts, assignments, cleaning rules, audit.

Authentication is an **app password**: a device token (``server.auth``) given to an ODK client as the
password, with HTTP Basic (over https) or Digest (RFC 7616, MD5, ``qop=auth``); no user password is
ever sent or stored for it. See ``credentials.py`` and ``views.py``.
"""
