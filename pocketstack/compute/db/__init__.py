"""The Compute service's database: its tables (models.py), Alembic
migrations (migrations/; common/service.py builds and migrates it), and every
query Compute runs, as module functions — the API, the conductor and the
scheduler call them; HTTP code and compute hosts never do.

    instances.py          instances, their metadata, tags and faults; lists in SQL
    actions.py            instance actions and their events
    hosts.py              services and their heartbeats, compute nodes
    allocations.py        claims on compute nodes
    quotas.py             project and default limits, counts
    flavors.py            flavors, extra specs, project access
    keypairs.py           key pairs
    aggregates.py         host aggregates and their zones
    server_groups.py      server groups and their members
    migration_records.py  resize and cold-migration records

Each function opens its own ``db.reader()`` or ``db.writer()`` scope, which
joins the caller's: several calls inside one ``with db.writer():`` are one
transaction.  Rows leave as dicts.
"""
