"""Ballots received from devices: intake through the sync protocol, storage, and conflicts."""
