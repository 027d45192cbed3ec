"""Questionnaire versions on the server: upload, publish, close, and distribution to devices."""
