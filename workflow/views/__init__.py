"""The pages of the workflow app, one module per concern. Views stay thin: they read through
selectors, write through services and shape input with the forms of ``workflow/forms.py``."""
