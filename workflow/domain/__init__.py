"""Pure functions of the appraisal domain: no database, no services, no requests.

They take plain values (or model instances already in memory, read by attribute only) and
return values: the distribution pattern's arithmetic (``distribution``), the facts and records of
a scoring (``scoring``), the explanation of a result (``explanation``). Services and selectors
read and write around them; everything here can be tested without a database.
"""
