"""Appraisal (thẩm định): the year's criteria set, agencies' self-assessment with signed evidence, the
council's appraisal, the secretariat's lock, and the locked points handed to the score run.

Part of ``server``; may import ``sync`` (error codes) and the other server packages. The locked points
reach ``server.results`` through one hook, ``results.appraisal.replace_appraisal_points``, the same
store the CSV import uses, so a score run cannot tell where its appraisal points came from.
"""
