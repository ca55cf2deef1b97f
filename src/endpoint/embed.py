#!/usr/bin/env python3
"""Turns the guest page into a C array, so the daemon serves it without a
file to find at run time: embed.py IN.html OUT.c"""
import sys

data = open(sys.argv[1], "rb").read()
with open(sys.argv[2], "w") as out:
    out.write("/* Generated from guest-page.html by embed.py. */\n#include <stddef.h>\n")
    out.write("const char cb_guest_page[] = {\n")
    for i in range(0, len(data), 16):
        out.write("  " + ", ".join(str(b) for b in data[i:i + 16]) + ",\n")
    out.write("  0 };\nconst size_t cb_guest_page_len = %d;\n" % len(data))
