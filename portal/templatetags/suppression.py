"""`{{ count|suppressed }}`: a count of persons as every output shows it (portal.suppression).

A Cell from `suppress_table` shows its own display value; a plain number is a lone count
without a total next to it, so only the threshold applies. Tables with totals must go
through `suppress_table`, never through this filter cell by cell.
"""

from django import template

from portal import suppression

register = template.Library()


@register.filter
def suppressed(value):
    if value is None or value == "":
        return ""
    return suppression.display(value)
