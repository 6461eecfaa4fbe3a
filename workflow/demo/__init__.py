"""The demo: the generated organisation of Pemprov Bengkulu (org.py) and the lived-in lifecycle
driven through the same services as the pages (simulation.py)."""
