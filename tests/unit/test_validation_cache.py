"""The token cache the services of one process share (common/auth.py)."""
from pocketstack.common import auth


def test_a_validation_stored_is_answered_until_forgotten():
    cache = auth.ValidationCache()
    assert cache.get('t') is None
    cache.set('t', 'valid', time=300)
    assert cache.get('t') == 'valid'
    cache.forget_all()
    assert cache.get('t') is None


def test_an_answer_fetched_before_a_revocation_is_not_stored_after_it():
    cache = auth.ValidationCache()
    assert cache.get('t') is None       # a validation starts…
    cache.forget_all()                  # …Identity revokes while it asks…
    cache.set('t', 'valid', time=300)   # …and its (stale) answer comes back
    assert cache.get('t') is None


def test_an_expired_answer_is_not_given():
    cache = auth.ValidationCache()
    cache.get('t')
    cache.set('t', 'valid', time=300)
    key_entry = cache._entries['t']
    cache._entries['t'] = (key_entry[0], auth._now() - 1)
    assert cache.get('t') is None
