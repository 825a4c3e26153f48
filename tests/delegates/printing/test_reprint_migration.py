"""The migration that records what print job items printed (``delegates/migrations/*_badge_reprint.py``):
the items of finished jobs printed before it are taken to show what their registrations show at the
migration, so nothing counts as changed that was not; items of unfinished jobs record nothing yet."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from delegates.models import Registration
from delegates.printing.selectors import BadgePrintState, badge_print_state


def migration_and_parent() -> tuple[tuple[str, str], tuple[str, str]]:
    """Found by its name, whatever number it is given when the migrations are chained."""
    graph = MigrationExecutor(connection).loader.graph
    (node,) = [key for key in graph.nodes if key[0] == "delegates" and key[1].endswith("_badge_reprint")]
    (parent,) = [p.key for p in graph.node_map[node].parents if p.key[0] == "delegates"]
    return node, parent


@pytest.mark.django_db(transaction=True)
def test_items_of_finished_jobs_record_what_their_registrations_show():
    node, parent = migration_and_parent()
    executor = MigrationExecutor(connection)
    # Every other app as it is now (its tables are): only delegates goes back.
    targets = [parent, *(leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] != "delegates")]
    executor.migrate(targets)
    try:
        apps = executor.loader.project_state(targets).apps
        Forum = apps.get_model("events", "Forum")
        Category = apps.get_model("delegates", "DelegateCategory")
        Registration_ = apps.get_model("delegates", "Registration")
        PrintJob = apps.get_model("delegates", "PrintJob")
        PrintJobItem = apps.get_model("delegates", "PrintJobItem")
        forum = Forum.objects.create(
            name="ASEAN Mayors Forum 2031",
            slug="amf-2031",
            start_date="2030-10-06",
            end_date="2030-10-07",
            time_zone="Asia/Bangkok",
            host_city="Bangkok",
        )
        category = Category.objects.create(forum=forum, name="Mayor / Governor", slug="mayor")
        people = [
            Registration_.objects.create(
                forum=forum,
                category=category,
                status="confirmed",
                email=f"mayor{n}@city.example.org",
                given_name=name,
                badge_name=name,
                position="Mayor",
                organisation="City Hall",
                city="Bangkok",
                country="TH",
                checkin_token=f"{n}" * 32,
                privacy_consent_at=timezone.now(),
            )
            for n, name in enumerate(["Sok Vibol", "Tan Mei Ling"])
        ]
        for status, person in (("done", people[0]), ("queued", people[1])):
            job = PrintJob.objects.create(forum=forum, layout="a6", dedupe_key=status, status=status, total=1)
            PrintJobItem.objects.create(job=job, registration=person, position=1)

        executor = MigrationExecutor(connection)
        executor.migrate([node])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    states = dict(Registration.objects.annotate(state=badge_print_state()).values_list("badge_name", "state"))
    assert states == {"Sok Vibol": BadgePrintState.PRINTED, "Tan Mei Ling": BadgePrintState.NOT_PRINTED}
