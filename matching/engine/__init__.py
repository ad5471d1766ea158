"""The matching engine: plain arrays and records in, ranked suggestions out.

Pure numpy, scipy and scikit-learn. It never imports Django, so it can be tested
and benchmarked without a database.
"""
