"""Quality review: weekly peer checks of each person's completed work (see apps.py)."""
