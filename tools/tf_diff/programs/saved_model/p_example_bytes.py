"""tf.train.Example & co: wire bytes (upb's map order), text form, API behaviour, errors."""
import random

import numpy as np


def _try(fn):
    try:
        value = fn()
    except Exception as e:  # noqa: BLE001 - comparing error behaviour
        return f"{type(e).__name__}: {e}"
    if isinstance(value, bytes):
        return list(value)  # bytes as numbers: the harness would decode them as text
    return value if isinstance(value, (int, float, str, bool, type(None), list)) else str(value)


def main(tf):
    T = tf.train
    out = {}
    # bytes of many random multi-key examples: the map order of upb's hash table
    rng = random.Random(7)
    blobs = []
    for trial in range(40):
        keys = []
        while len(keys) < rng.randint(1, 30):
            k = "".join(rng.choice("abcxyz_019Q") for _ in range(rng.choice([0, 1, 2, 3, 5, 8, 9, 17, 70])))
            if k not in keys:
                keys.append(k)
        e = T.Example()
        for i, k in enumerate(keys):
            f = e.features.feature[k]
            if i % 3 == 0:
                f.float_list.value.extend([rng.uniform(-1e6, 1e6) for _ in range(i % 4)])
            elif i % 3 == 1:
                f.int64_list.value.extend([rng.randint(-2**63, 2**63 - 1) for _ in range(i % 5)])
            else:
                f.bytes_list.value.append(bytes(rng.randrange(256) for _ in range(i % 7)))
        s = e.SerializeToString()
        back = T.Example.FromString(s)
        blobs.append({"bytes": list(s), "roundtrip": list(back.SerializeToString()),
                      "det": list(e.SerializeToString(deterministic=True)),
                      "iter": list(e.features.feature), "iter_back": list(back.features.feature),
                      "text": str(e), "eq": back == e})
    out["random"] = blobs
    # constructors
    ex = T.Example(features=T.Features(feature={
        "age": T.Feature(int64_list=T.Int64List(value=[25, -1, 300])),
        "name": T.Feature(bytes_list=T.BytesList(value=[b"ann", "é".encode()])),
        "x": T.Feature(float_list=T.FloatList(value=[1.5, 0.1, 1e-7, -0.0])),
        "empty": T.Feature(),
        "": T.Feature(float_list=T.FloatList()),
    }))
    out["ctor"] = {"bytes": list(ex.SerializeToString()), "text": str(ex), "repr": repr(ex),
                   "len": len(ex.features.feature), "ByteSize": ex.ByteSize()}
    out["dict_ctor"] = _try(lambda: T.Example(features={"feature": {"a": T.Feature()}}).SerializeToString())
    # containers
    fl = T.FloatList(value=[1, 2, 3])
    fl.value[0] = 5
    del fl.value[1]
    fl.value.insert(0, 9)
    fl.value.extend(np.array([0.5, 2.5], np.float32))
    fl.value.append(np.float64(0.1))
    out["floats"] = {"value": list(fl.value), "len": len(fl.value), "last": fl.value[-1],
                     "slice": fl.value[1:3], "eq_list": fl.value == [9.0, 5.0, 3.0, 0.5, 2.5, 0.10000000149011612],
                     "repr": repr(fl.value), "pop": fl.value.pop(), "bytes": list(fl.SerializeToString())}
    out["specials"] = str(T.FloatList(value=[float("inf"), float("-inf"), float("nan"), 1e40, 1e-50, 16777217.0, 3.4028235e38, 1e-45]))
    out["ints"] = list(T.Int64List(value=[0, 1, -1, 2**63 - 1, -2**63, 127, 128, 16384, np.int32(-5), True]).SerializeToString())
    out["bytes_text"] = str(T.BytesList(value=[b"a\"b\\c\n\r\t\x00\x7f\xc3\xa9'", b""]))
    out["key_text"] = str(T.Features(feature={"é\n\"": T.Feature(), "a b": T.Feature()}))
    # oneof and presence
    f = T.Feature()
    out["which0"] = f.WhichOneof("kind")
    f.int64_list.value.append(3)
    out["which1"] = f.WhichOneof("kind")
    f.float_list.value.append(3)
    out["which2"] = f.WhichOneof("kind")
    out["other_empty"] = list(f.int64_list.value)
    out["oneof_bytes"] = list(f.SerializeToString())
    out["hasfield"] = [f.HasField("float_list"), f.HasField("int64_list"), f.HasField("kind")]
    g = T.Feature()
    _ = g.float_list
    out["read_only_stub"] = list(g.SerializeToString())
    e = T.Example()
    _ = e.features.feature["a"]
    out["auto_create"] = list(e.SerializeToString())
    out["contains"] = ["a" in e.features.feature, "b" in e.features.feature]
    out["get_missing"] = e.features.feature.get("zz") is None
    out["empty_eq"] = [T.Example() == T.Example(), T.Example() == T.Example(features=T.Features())]
    out["empty_feats_bytes"] = list(T.Example(features=T.Features()).SerializeToString())
    out["parse_len"] = T.Example().ParseFromString(ex.SerializeToString())
    # errors
    out["errors"] = {
        "float_str": _try(lambda: T.FloatList(value=["a"])),
        "int_float": _try(lambda: T.Int64List(value=[1.5])),
        "int_range": _try(lambda: T.Int64List(value=[2**63])),
        "bytes_str": _try(lambda: T.BytesList(value=["a"])),
        "bytes_int": _try(lambda: T.BytesList(value=[1])),
        "bad_kw": _try(lambda: T.Feature(foo=1)),
        "map_value": _try(lambda: T.Features(feature={"a": 1})),
        "map_key": _try(lambda: T.Features(feature={1: T.Feature()})),
        "assign": _try(lambda: setattr(T.Example(), "features", T.Features())),
        "assign_unknown": _try(lambda: setattr(T.Example(), "foo", 1)),
        "map_assign": _try(lambda: T.Features().feature.__setitem__("a", T.Feature())),
        "decode": _try(lambda: T.Example.FromString(b"\xff")),
        "truncated": _try(lambda: T.FloatList.FromString(b"\x0d\x00\x00")),
        "not_iterable": _try(lambda: T.FloatList(value=3)),
        "hash": _try(lambda: hash(T.Example())),
        "msg_init": _try(lambda: T.Example(features=5)),
        "msg_wrong": _try(lambda: T.Example(features=T.FloatList())),
        "has_repeated": _try(lambda: T.FloatList().HasField("value")),
        "which_bad": _try(lambda: T.Feature().WhichOneof("foo")),
    }
    # unknown fields survive a round trip; duplicate keys keep the last value
    out["unknown"] = _try(lambda: T.FloatList.FromString(b"\x08\x01\x0a\x04\x00\x00\x80\x3f").SerializeToString())
    out["dup"] = _try(lambda: T.Features.FromString(
        b"\x0a\x0d\x0a\x01a\x12\x08\x1a\x06\x0a\x04\x01\x02\x03\x04\x0a\x03\x0a\x01b\x0a\x07\x0a\x01a\x12\x02\x1a\x00").SerializeToString())
    out["unpacked"] = _try(lambda: T.Feature.FromString(b"\x12\x0a\x0d\x00\x00\x80\x3f\x0d\x00\x00\x00\x40").float_list.value[:])
    # deleting map entries
    m = T.Features()
    for k in "abcdefghij":
        m.feature[k].int64_list.value.append(ord(k))
    del m.feature["c"]
    m.feature.pop("e")
    m.feature["zz"]
    out["after_delete"] = {"iter": list(m.feature), "bytes": list(m.SerializeToString())}
    return out
