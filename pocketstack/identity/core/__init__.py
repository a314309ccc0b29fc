"""The Identity service's managers: the rules between the API and the database.

Managers take and return plain dicts shaped as the API shows them (without
``links``), open their own reader/writer scopes on ``service.db``, and raise
``pocketstack.common.exception`` errors.  See service.py for the list.
"""
