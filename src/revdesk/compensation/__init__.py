"""The commissions desk: plans as records, crediting policies, runs, statements, claims."""
