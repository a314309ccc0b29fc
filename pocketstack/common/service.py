"""Each service's object (IdentityService, ImageService…) exists once per
ConfigOpts: every app and filter of one API shares it, while two APIs in one
process (tests, the all-in-one) each have their own."""
import threading

_lock = threading.Lock()


def instance_for(conf, cls):
    """The ``cls(conf)`` of this ConfigOpts, built on first use; its database
    is migrated then when ``[database] auto_upgrade`` is on, and
    ``schema_created`` says whether that migration made the schema."""
    attribute = '_pocketstack_%s' % cls.__name__
    with _lock:
        service = getattr(conf, attribute, None)
        if service is None:
            service = cls(conf)
            service.schema_created = False
            if conf.database.auto_upgrade:
                service.schema_created = service.sync_database()
            setattr(conf, attribute, service)
        return service
