"""`revdesk demo`: a seeded, realistic demo company (no models of its own).

Halden Power & Networks makes UPS, rack, PDU and thermal products, sells them through its own
reps and about twenty distributors, and runs a fibre/Ethernet enterprise services line billed
monthly. `revdesk.demo.generator.company_build` writes one year of its history (December 2025
to the demo's fixed "today", 30 November 2026); the same seed always gives the same data.
"""
