"""The emulator's engine, shared by every API backend: nothing in it knows an API's products.

``engine.Engine`` answers requests (routing, basic auth, ``/_emulator/`` controls,
faults, recorded requests) for the backends mounted on it; ``project.Project``
holds what they share (ids, clock, signing keys, outbox); ``transport`` and
``server`` carry requests in, in process or over loopback.
"""
