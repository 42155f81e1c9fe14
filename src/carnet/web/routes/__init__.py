"""Thin routes, one module per REST area: parse, call one service, serialise."""
