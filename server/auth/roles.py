"""The roles of parsurvey and the reviewer organisations.

- admin: installs and configures (forms, users, registry).
- supervisor: Department of Home Affairs staff (Sở Nội vụ) who run a round and read results.
- enumerator: Post Office interviewer (điều tra viên, Bưu điện tỉnh) who captures ballots.
- reviewer: re-checks ballots (phúc tra) for the Fatherland Front (MTTQ) or Veterans' Association (CCB).
- agency_officer: the focal officer (cán bộ đầu mối) of one agency, who self-assesses it against the
  criteria set and uploads its signed evidence (which agency: ``server.appraisal``'s members table).
- appraiser: a member of the appraisal council (Hội đồng thẩm định) for one council organisation, who
  appraises the criteria that organisation is responsible for.
"""

from __future__ import annotations

ADMIN = "admin"
SUPERVISOR = "supervisor"
ENUMERATOR = "enumerator"
REVIEWER = "reviewer"
AGENCY_OFFICER = "agency_officer"
APPRAISER = "appraiser"
ROLES = (ADMIN, SUPERVISOR, ENUMERATOR, REVIEWER, AGENCY_OFFICER, APPRAISER)

#: Reviewer organisations: Ủy ban Mặt trận Tổ quốc, Hội Cựu chiến binh.
ORGANISATIONS = {"MTTQ": "Ủy ban Mặt trận Tổ quốc", "CCB": "Hội Cựu chiến binh"}

#: Roles that manage the province's data (registry, rounds, forms).
MANAGERS = (ADMIN, SUPERVISOR)

#: Appraisal council member organisations (the 2022 council); each appraises its own content areas.
COUNCIL_ORGANISATIONS = {
    "SNV": "Sở Nội vụ",
    "STP": "Sở Tư pháp",
    "VPUBND": "Văn phòng UBND tỉnh",
    "STC": "Sở Tài chính",
    "STTTT": "Sở Thông tin và Truyền thông",
    "SKHCN": "Sở Khoa học và Công nghệ",
}
