"""The registrations list's page: what each row shows of its badge and its check-ins is read for the
rows of the page only, in two queries, after the list's own query has picked them.

In the list's query, a subquery per row would be worked out by PostgreSQL for every row an offset
skips too (the last page of 10,000 registrations computed the badge state 9,950 times for nothing:
``bench/README.md``, ``make bench-staff``). Sorting by the badge column still puts the expression in
that query's ORDER BY, where it is needed.
"""

from collections import defaultdict

from django.contrib.admin.views.main import ChangeList
from django.http import HttpRequest

from ..models import CheckIn, Registration
from ..printing.selectors import badge_print_state


class RegistrationChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        rows = list(self.result_list)
        ids = [row.pk for row in rows]
        states = dict(
            Registration.objects.filter(pk__in=ids)
            .annotate(badge_state=badge_print_state())
            .order_by()
            .values_list("pk", "badge_state")
        )
        lists = defaultdict(list)
        for registration_id, name in (
            CheckIn.objects.filter(registration_id__in=ids, undone_at__isnull=True)
            .order_by("list__day", "list__name", "pk")
            .values_list("registration_id", "list__name")
        ):
            lists[registration_id].append(name)
        for row in rows:
            row.badge_state = states.get(row.pk)
            row.checked_in_lists = lists[row.pk]
        self.result_list = rows
