"""Earlier years' published results (kết quả đã công bố), entered from the published tables so that
year-on-year change and the means-over-the-years charts work without the old ballots.

May import ``scoring`` and the rest of ``server`` (registry, results); nothing imports it but the app
factory, the CLI and the results package's year-on-year and report.
"""
