"""Small template helpers of the workflow pages."""

from django import template

from ..selectors.org import person_name

register = template.Library()


@register.filter
def get_value(mapping, key):
    """``{{ dict|get_value:key }}`` — a dictionary lookup with a variable key."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def person(user):
    """``{{ task.owner|person }}`` — how a person is named on the pages (see ``person_name``); empty
    for nobody."""
    return person_name(user)
