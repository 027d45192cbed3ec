"""Re-check (phúc tra): ballot status, the tamper-evident audit log, re-check sampling, reviewers'
verifications from MTTQ and CCB, enumerator quality and quarantine, and which ballots count."""
