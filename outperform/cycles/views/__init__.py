"""Pages of the cycle flow. Thin: each checks who may act, calls one service or selector, renders."""
