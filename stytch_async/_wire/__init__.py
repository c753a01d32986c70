"""Byte senders: the own HTTP/1.1 keep-alive pool and the httpx.AsyncClient wire."""
