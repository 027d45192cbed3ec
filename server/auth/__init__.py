"""Users, roles, passwords and bearer tokens: who may call the API, and as what."""
