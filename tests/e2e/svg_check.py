#!/usr/bin/python3
"""Test-time checks for spax's pictures and report (standard library only).

  svg_check.py xml FILE   parse FILE as XML; print the root tag and "TAG COUNT" per element
                          name (namespace dropped); exit 1 when it does not parse
  svg_check.py png FILE   decode an 8-bit RGB/RGBA PNG; print "WIDTH HEIGHT DISTINCT" where
                          DISTINCT is the number of distinct pixel colours; exit 1 when invalid
"""
import collections
import struct
import sys
import xml.etree.ElementTree as ET
import zlib


def check_xml(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        print("parse error:", e)
        return 1
    counts = collections.Counter(el.tag.split("}")[-1] for el in root.iter())
    print("root", root.tag.split("}")[-1])
    for tag, n in sorted(counts.items()):
        print(tag, n)
    return 0


def check_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        print("not a PNG")
        return 1
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace != 0:
                print("unsupported PNG layout")
                return 1
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        if y % 4 == 0 and len(colours) < 4096:
            for x in range(0, stride, bpp * 2):
                colours.add(bytes(line[x:x + bpp]))
        prev = line
    print(width, height, len(colours))
    return 0


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    sys.exit(check_xml(path) if mode == "xml" else check_png(path))
