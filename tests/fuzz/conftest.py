"""Hypothesis profiles: ``ci`` (the default, in ``make test``: few examples
per route, a fixed seed, so a run is repeatable) and ``fuzz`` (``make
fuzz``: FUZZ_EXAMPLES in all, spread over every route, random seeds)."""
import os

from hypothesis import HealthCheck, settings

_common = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                     HealthCheck.function_scoped_fixture,
                                                     HealthCheck.filter_too_much],
               database=None, print_blob=True)
settings.register_profile('ci', max_examples=4, derandomize=True, **_common)
settings.register_profile('fuzz', max_examples=int(os.environ.get('FUZZ_PER_ROUTE', '32')),
                          **_common)
settings.load_profile(os.environ.get('HYPOTHESIS_PROFILE', 'ci'))
