"""Small template helpers of the workflow pages."""

from django import template

register = template.Library()


@register.filter
def get_value(mapping, key):
    """``{{ dict|get_value:key }}`` — a dictionary lookup with a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
