"""The roles of parsurvey and the reviewer organisations.

- admin: installs and configures (forms, users, registry).
- supervisor: Department of Home Affairs staff (Sở Nội vụ) who run a round and read results.
- enumerator: Post Office interviewer (điều tra viên, Bưu điện tỉnh) who captures ballots.
- reviewer: re-checks ballots (phúc tra) for the Fatherland Front (MTTQ) or Veterans' Association (CCB).
"""

from __future__ import annotations

ADMIN = "admin"
SUPERVISOR = "supervisor"
ENUMERATOR = "enumerator"
REVIEWER = "reviewer"
ROLES = (ADMIN, SUPERVISOR, ENUMERATOR, REVIEWER)

#: Reviewer organisations: Ủy ban Mặt trận Tổ quốc, Hội Cựu chiến binh.
ORGANISATIONS = {"MTTQ": "Ủy ban Mặt trận Tổ quốc", "CCB": "Hội Cựu chiến binh"}

#: Roles that manage the province's data (registry, rounds, forms).
MANAGERS = (ADMIN, SUPERVISOR)
