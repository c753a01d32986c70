"""The engine both clients share: construction and lifecycle, the request pipeline, decoding."""
