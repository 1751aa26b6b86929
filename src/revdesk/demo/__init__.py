"""`revdesk demo`: a seeded, realistic demo company (no models of its own).

Halden Power & Networks makes UPS, rack, PDU and thermal products, sells them through its own
reps and about twenty distributors, and runs a fibre/Ethernet enterprise services line billed
monthly. `revdesk.demo.generator.company_build` writes one year of its history, ending on the
day it is built for (`as_of`, today by default); the same seed and the same as-of date always
give the same data.
"""
