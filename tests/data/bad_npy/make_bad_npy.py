# Regenerates the damaged .npz files used by tests/test_npz.cpp: valid zip archives (correct
# CRCs) holding one entry "x.npy" whose .npy bytes are wrong in one way each.
import struct
import zipfile


def npy(header, data, magic=b"\x93NUMPY", version=b"\x01\x00", hlen=None):
    h = header.encode()
    h += b" " * (63 - (10 + len(h)) % 64) + b"\n"
    n = len(h) if hlen is None else hlen
    return magic + version + struct.pack("<H", n) + h + data


def f8(shape, descr="<f8"):
    return "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)


cases = {
    "magic": npy(f8("(2,)"), bytes(16), magic=b"\x93NUMPX"),
    "version": npy(f8("(2,)"), bytes(16), version=b"\x09\x00"),
    "header_length": npy(f8("(2,)"), bytes(16), hlen=5000),
    "no_shape": npy("{'descr': '<f8', 'fortran_order': False, }", bytes(8)),
    "shape_text": npy(f8("(2, x)"), bytes(16)),
    "huge_shape": npy(f8("(4000000000, 4000000000, 4000000000)"), bytes(16)),
    "short_data": npy(f8("(3,)"), bytes(16)),
    "long_data": npy(f8("(1,)"), bytes(16)),
    "big_endian": npy(f8("(2,)", ">f8"), bytes(16)),
    "tiny": b"\x93NUM",
}
for name, blob in cases.items():
    with zipfile.ZipFile(name + ".npz", "w", zipfile.ZIP_STORED) as z:
        z.writestr("x.npy", blob)
