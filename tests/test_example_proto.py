"""tf.train.Example & co (wire bytes, upb's map order, text, API) and tf.io.parse_example.

Wire bytes are derived by hand: a field's tag is ``field_number << 3 | wire_type``
(0 varint, 2 length-delimited, 5 fixed32), lengths and integers are base-128 varints
(low 7 bits first, high bit set on all but the last byte, negative int64 as 10 bytes of
two's complement), packed floats are float32 little-endian.
"""

import struct

import numpy as np
import pytest

import cannery as tf
from cannery.core import example_proto
from cannery.core.eager_tensor import EagerTensor
from cannery.errors import InvalidArgumentError

T = tf.train
F, V = tf.io.FixedLenFeature, tf.io.VarLenFeature


# -- wire bytes -------------------------------------------------------------------------

# Example{features{feature{"x": Feature{float_list{value: 1.5}}}}}:
#   FloatList.value (field 1, packed): 0a 04 + float32(1.5) = 0x3fc00000 LE = 00 00 c0 3f
#   Feature.float_list (field 2):      12 06 + the 6 bytes above
#   map entry: key (field 1) 0a 01 'x', value (field 2) 12 08 + the 8 bytes above -> 13 bytes
#   Features.feature (field 1):        0a 0d + entry (15 bytes)
#   Example.features (field 1):        0a 0f + Features (17 bytes)
X15 = bytes([0x0A, 0x0F, 0x0A, 0x0D, 0x0A, 0x01, ord("x"), 0x12, 0x08, 0x12, 0x06, 0x0A, 0x04,
             0x00, 0x00, 0xC0, 0x3F])


def test_one_float_feature_bytes_by_hand():
    e = T.Example()
    e.features.feature["x"].float_list.value.append(1.5)
    assert e.SerializeToString() == X15
    assert e.ByteSize() == 17
    built = T.Example(features=T.Features(feature={
        "x": T.Feature(float_list=T.FloatList(value=[1.5]))}))
    assert built.SerializeToString() == X15 and built == e


def test_int64_varints_by_hand():
    # 1 -> 01; -1 -> 2**64 - 1: nine 0xff then 0x01; 300 = 0b10_0101100 -> ac 02;
    # 2**63 - 1 -> eight 0xff then 0x7f; packed payload 1 + 10 + 2 + 9 = 22 bytes.
    payload = b"\x01" + b"\xff" * 9 + b"\x01" + b"\xac\x02" + b"\xff" * 8 + b"\x7f"
    values = T.Int64List(value=[1, -1, 300, 2**63 - 1])
    assert values.SerializeToString() == b"\x0a\x16" + payload
    assert T.Int64List.FromString(b"\x0a\x16" + payload).value[:] == [1, -1, 300, 2**63 - 1]


def test_bytes_list_is_not_packed_and_empty_lists_write_nothing():
    # each value its own field 1: 0a 02 'ab', 0a 00 ''
    assert T.BytesList(value=[b"ab", b""]).SerializeToString() == b"\x0a\x02ab\x0a\x00"
    assert T.FloatList().SerializeToString() == b""
    # a Feature whose list is set but empty: 12 00; an unset one writes nothing
    f = T.Feature()
    f.float_list.SetInParent()
    assert f.SerializeToString() == b"\x12\x00"
    assert T.Feature().SerializeToString() == b""


def test_floats_are_float32():
    # 0.1 is stored as float32 0x3dcccccd = 0.10000000149011612; 1e40 overflows to inf
    values = T.FloatList(value=[0.1, 1e40, 3])
    assert values.value[0] == struct.unpack("<f", struct.pack("<I", 0x3DCCCCCD))[0]
    assert values.value[1] == float("inf") and values.value[2] == 3.0
    assert values.SerializeToString()[2:6] == bytes([0xCD, 0xCC, 0xCC, 0x3D])


def test_presence_of_read_and_written_sub_messages():
    e = T.Example()
    _ = e.features.feature.get("x")
    assert e.SerializeToString() == b""  # reading sets nothing
    _ = e.features.feature["a"]  # a map read creates the entry: features{feature{a: {}}}
    # entry 0a 01 'a' 12 00 (5 bytes) in Features 0a 05, in Example 0a 07
    assert e.SerializeToString() == b"\x0a\x07\x0a\x05\x0a\x01a\x12\x00"
    assert T.Example() != T.Example(features=T.Features())
    assert T.Example(features=T.Features()).SerializeToString() == b"\x0a\x00"


def test_oneof_kind():
    f = T.Feature()
    assert f.WhichOneof("kind") is None and not f.HasField("kind")
    f.int64_list.value.append(3)
    assert f.WhichOneof("kind") == "int64_list"
    f.float_list.value.append(3)  # setting another list clears the first
    assert f.WhichOneof("kind") == "float_list" and list(f.int64_list.value) == []
    assert f.SerializeToString() == b"\x12\x06\x0a\x04" + struct.pack("<f", 3.0)
    # constructor keywords apply in order: the last list wins
    both = T.Feature(float_list=T.FloatList(value=[1]), int64_list=T.Int64List(value=[1]))
    assert both.SerializeToString() == b"\x1a\x03\x0a\x01\x01"


def test_round_trip_keeps_unknown_fields_after_the_known_ones():
    # field 1 as a varint (08 01) is not FloatList's packed field: kept, written last
    parsed = T.FloatList.FromString(b"\x08\x01\x0a\x04\x00\x00\x80\x3f")
    assert parsed.value[:] == [1.0]
    assert parsed.SerializeToString() == b"\x0a\x04\x00\x00\x80\x3f\x08\x01"
    # an unpacked float (0d + 4 bytes) is read as a value, and written packed
    assert T.FloatList.FromString(b"\x0d\x00\x00\x80\x3f").SerializeToString() == \
        b"\x0a\x04\x00\x00\x80\x3f"


# -- upb's map order ------------------------------------------------------------------

_SALT = (0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0,
         0x082EFA98EC4E6C89, 0x452821E638D01377)
_M64 = 2**64 - 1


def _mix(a, b):  # upb's WyhashMix: the 128-bit product's halves xor-ed
    p = a * b
    return (p & _M64) ^ (p >> 64)


def _reference_hash(data: bytes) -> int:
    """upb/hash/common.c (protobuf 4.25) Wyhash(data, len, seed=0, kWyhashSalt),
    transcribed: 64-byte rounds with a duplicated state, 16-byte rounds, then the last
    0-16 bytes loaded as (a, b); truncated to the 32-bit hash upb uses."""
    le = lambda chunk: int.from_bytes(chunk, "little")  # noqa: E731
    state, pos, left = _SALT[0], 0, len(data)
    if left > 64:
        dup = state
        while left > 64:
            w = [le(data[pos + 8 * i:pos + 8 * i + 8]) for i in range(8)]
            state = _mix(w[0] ^ _SALT[1], w[1] ^ state) ^ _mix(w[2] ^ _SALT[2], w[3] ^ state)
            dup = _mix(w[4] ^ _SALT[3], w[5] ^ dup) ^ _mix(w[6] ^ _SALT[4], w[7] ^ dup)
            pos, left = pos + 64, left - 64
        state ^= dup
    while left > 16:
        state = _mix(le(data[pos:pos + 8]) ^ _SALT[1], le(data[pos + 8:pos + 16]) ^ state)
        pos, left = pos + 16, left - 16
    rest = data[pos:]
    if left > 8:
        a, b = le(rest[:8]), le(rest[-8:])
    elif left > 3:
        a, b = le(rest[:4]), le(rest[-4:])
    elif left > 0:
        a, b = (rest[0] << 16) | (rest[left >> 1] << 8) | rest[-1], 0
    else:
        a = b = 0
    return _mix(_mix(a ^ _SALT[1], b ^ state), _SALT[1] ^ len(data)) & 0xFFFFFFFF


@pytest.mark.parametrize("length", [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 32, 33, 64, 65, 129, 200])
def test_hash_matches_the_transcribed_reference(length):
    data = bytes((i * 37 + 11) % 256 for i in range(length))
    assert example_proto._upb_hash(data) == _reference_hash(data)


def _slot(key, slots=8):
    return _reference_hash(key.encode()) & (slots - 1)


def test_five_keys_in_upb_order():
    # A new map has 8 slots (upb_strtable_init(4): (4 + 1) * 1204 // 1024 = 5 -> 2**3).
    keys = ["zeta", "alpha", "mid", "b", "a"]
    slots = {k: _slot(k) for k in keys}
    assert slots == {"zeta": 0, "alpha": 0, "mid": 3, "b": 6, "a": 5}
    # zeta takes slot 0; alpha collides with zeta (at home) and takes the next empty
    # slot, 1; mid 3, b 6, a 5. Iteration is slot order; upb writes back to front.
    e = T.Example()
    for k in keys:
        e.features.feature[k].float_list.value.append(1.5)
    assert list(e.features.feature) == ["zeta", "alpha", "mid", "a", "b"]
    entry = lambda k: (b"\x0a" + bytes([len(k) + 12]) + b"\x0a" + bytes([len(k)])  # noqa: E731
                       + k.encode() + b"\x12\x08\x12\x06\x0a\x04\x00\x00\xc0\x3f")
    body = b"".join(entry(k) for k in ["b", "a", "mid", "alpha", "zeta"])
    # each entry is one Features.feature field (0a, length, key, value); Example.features
    # wraps them all (0a, length 84)
    assert len(body) == 84 and e.SerializeToString() == b"\x0a\x54" + body
    # parsing inserts in wire order (b, a, mid, alpha, zeta): alpha reaches slot 0 first
    # and zeta, colliding with it, takes slot 1
    back = T.Example.FromString(e.SerializeToString())
    assert list(back.features.feature) == ["alpha", "zeta", "mid", "a", "b"]
    assert back == e


def test_eviction_wraparound_and_growth():
    slots8 = {k: _slot(k) for k in "abcdefg"}
    assert slots8 == {"a": 5, "b": 6, "c": 7, "d": 3, "e": 4, "f": 6, "g": 7}
    table = example_proto._UpbStrTable()
    for k in "bfc":
        table.insert(k.encode())
    # b at 6; f collides with b (at home) -> next empty, 7; c's home 7 holds f, which is
    # not at home (6): f moves to the next empty slot, wrapping to 0, and c takes 7
    assert list(table) == [b"f", b"b", b"c"]
    table = example_proto._UpbStrTable()
    for k in "abcdef":
        table.insert(k.encode())
    # a 5, b 6, c 7, d 3, e 4, f collides with b -> 7 is taken -> wraps to 0
    assert list(table) == [b"f", b"d", b"e", b"a", b"b", b"c"]
    # the 7th key finds int(8 * 0.85) = 6 entries: the table doubles to 16 slots
    slots16 = {k: _slot(k, 16) for k in "abcdefg"}
    assert slots16 == {"a": 5, "b": 14, "c": 7, "d": 3, "e": 12, "f": 6, "g": 15}
    table.insert(b"g")
    assert list(table) == [b"d", b"a", b"f", b"c", b"e", b"b", b"g"]
    # removing a chain's head moves its next entry into the head's slot
    table = example_proto._UpbStrTable()
    for k in "bf":
        table.insert(k.encode())
    assert table.remove(b"b") and list(table) == [b"f"] and not table.remove(b"b")


def test_deterministic_order_and_text_order():
    # upb's map sorter: bytes compared descending, a prefix before its extensions; the
    # text form prints in that order, deterministic bytes are written back to front
    f = T.Features()
    for k in ["b", "ab", "a", ""]:
        f.feature[k]
    assert [line for line in str(f).splitlines() if "key" in line] == \
        ['  key: ""', '  key: "b"', '  key: "a"', '  key: "ab"']
    det = f.SerializeToString(deterministic=True)
    assert det == b"".join(b"\x0a" + bytes([len(k) + 4, 0x0a, len(k)]) + k + b"\x12\x00"
                           for k in [b"ab", b"a", b"b", b""])


# -- text and API ---------------------------------------------------------------------


def test_text_form():
    e = T.Example(features=T.Features(feature={
        "n": T.Feature(int64_list=T.Int64List(value=[-5])),
        "s": T.Feature(bytes_list=T.BytesList(value=[b'a"\n\x00\xc3\xa9'])),
    }))
    # floats: %.6g, or %.9g when that does not round-trip; bytes: octal escapes
    assert str(T.FloatList(value=[0.1, 1e-7, 3.0, float("nan"), -0.0, 16777217.0])) == (
        "value: 0.1\nvalue: 1e-07\nvalue: 3\nvalue: nan\nvalue: -0\nvalue: 16777216\n")
    assert repr(e) == str(e) == (
        'features {\n  feature {\n    key: "s"\n    value {\n      bytes_list {\n'
        '        value: "a\\"\\n\\000\\303\\251"\n      }\n    }\n  }\n'
        '  feature {\n    key: "n"\n    value {\n      int64_list {\n        value: -5\n'
        '      }\n    }\n  }\n}\n')
    assert str(T.Example()) == ""


def test_value_containers():
    values = T.FloatList(value=[1, 2, 3]).value
    values[0] = 5
    del values[1]
    values.insert(0, 9)
    values.extend(np.float32([0.5]))
    assert values == [9.0, 5.0, 3.0, 0.5] and len(values) == 4 and values[-1] == 0.5
    assert values[1:3] == [5.0, 3.0] and values.pop() == 0.5
    assert repr(values) == "[9.0, 5.0, 3.0]"


@pytest.mark.parametrize("make, error, message", [
    (lambda: T.FloatList(value=["a"]), TypeError, "must be real number, not str"),
    (lambda: T.Int64List(value=[1.5]), TypeError, "'float' object cannot be interpreted"),
    (lambda: T.Int64List(value=[2**63]), ValueError, "Value out of range: 9223372036854775808"),
    (lambda: T.BytesList(value=["a"]), TypeError, "expected bytes, str found"),
    (lambda: T.Feature(foo=1), ValueError, 'Protocol message Feature has no "foo" field.'),
    (lambda: T.Features(feature={"a": 1}), TypeError, "Parameter to CopyFrom"),
    (lambda: setattr(T.Example(), "features", T.Features()), AttributeError,
     'Assignment not allowed to message, map, or repeated field "features"'),
    (lambda: T.Features().feature.__setitem__("a", T.Feature()), ValueError,
     "Message objects may not be assigned"),
    (lambda: T.Example.FromString(b"\xff"), example_proto.DecodeError, "Error parsing message"),
    (lambda: T.FloatList().HasField("value"), ValueError,
     "Field tensorflow.FloatList.value does not have presence."),
    (lambda: hash(T.Example()), TypeError, "unhashable"),
])
def test_errors(make, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(").replace(".", r"\.")):
        make()


def test_parse_from_string_returns_length_and_replaces():
    e = T.Example()
    e.features.feature["old"]
    assert e.ParseFromString(X15) == 17
    assert list(e.features.feature) == ["x"] and e.features.feature["x"].float_list.value[0] == 1.5


# -- tf.io.parse_example ----------------------------------------------------------------


def _example(**features):
    e = T.Example()
    for key, values in features.items():
        feature = e.features.feature[key]
        if values is None:
            continue
        kind = {float: "float_list", int: "int64_list", bytes: "bytes_list"}[type(values[0])]
        getattr(feature, kind).value.extend(values)
    return e.SerializeToString()


RECORDS = [_example(x=[1.5], n=[3], s=[b"a", b"b"]), _example(x=[2.5], s=[b"c"], e=None),
           _example(x=[-1.0], n=[-7], s=[b"d", b"e", b"f"])]


def test_parse_example_dense_and_sparse():
    out = tf.io.parse_example(RECORDS, {"x": F([1], tf.float32),
                                        "n": F([], tf.int64, default_value=7),
                                        "s": V(tf.string),
                                        "z": F([2], tf.string, default_value=["p", "q"])})
    assert isinstance(out["x"], EagerTensor) and out["x"].numpy().dtype == np.float32
    np.testing.assert_array_equal(out["x"].numpy(), [[1.5], [2.5], [-1.0]])
    assert out["n"].numpy().tolist() == [3, 7, -7] and out["n"].dtype == np.int64
    assert out["z"].numpy().tolist() == [[b"p", b"q"]] * 3
    sp = out["s"]
    # row i, position j of each value; the widest row has 3 values
    assert sp.indices.tolist() == [[0, 0], [0, 1], [1, 0], [2, 0], [2, 1], [2, 2]]
    assert sp.values.tolist() == [b"a", b"b", b"c", b"d", b"e", b"f"]
    assert sp.dense_shape.tolist() == [3, 3]


def test_parse_single_example_has_no_batch_dimension():
    out = tf.io.parse_single_example(RECORDS[0], {"x": F([1], tf.float32), "s": V(tf.string),
                                                  "n": F([], tf.int64)})
    assert out["x"].shape == (1,) and out["n"].shape == () and int(out["n"]) == 3
    assert out["s"].indices.tolist() == [[0], [1]] and out["s"].dense_shape.tolist() == [2]


def test_parse_empty_feature_counts_as_absent():
    # record 1 has e = Feature{} (no list): the default is used, and without one it is
    # "required but could not be found"
    out = tf.io.parse_example(RECORDS, {"e": F([], tf.float32, default_value=9.0)})
    assert out["e"].numpy().tolist() == [9.0, 9.0, 9.0]


@pytest.mark.parametrize("features, kwargs, message", [
    ({"n": F([], tf.int64)}, {},
     "Name: <unknown>, Feature: n (data type: int64) is required but could not be found."),
    ({"n": F([], tf.int64)}, {"example_names": ["a", "b", "c"]},
     "Name: b, Feature: n (data type: int64) is required but could not be found."),
    ({"x": F([2], tf.float32)}, {}, "Name: <unknown>, Key: x, Index: 0.  Number of float "
     "values != expected.  Values size: 1 but output shape: [2]"),
    ({"s": F([2], tf.string)}, {}, "Key: s, Index: 1.  Number of bytes values != expected."),
    ({"x": F([], tf.int64)}, {}, "Key: x, Index: 0.  Data types don't match. Data type: "
     "float but expected type: int64"),
    ({"x": V(tf.string)}, {}, "Data types don't match. Expected type: string, Actual type: float"),
    ({"x": F([], tf.int32)}, {}, "Value for attr 'Tdense' of int32 is not in the list of "
     "allowed values: float, int64, string"),
])
def test_parse_errors(features, kwargs, message):
    with pytest.raises(InvalidArgumentError) as info:
        tf.io.parse_example(RECORDS, features, **kwargs)
    assert message in str(info.value)


def test_parse_single_example_errors_have_no_name():
    with pytest.raises(InvalidArgumentError, match=r"^Feature: n \(data type: int64\) is req"):
        tf.io.parse_single_example(RECORDS[1], {"n": F([], tf.int64)})
    with pytest.raises(InvalidArgumentError, match=r"^Key: x\.  Can't parse serialized Example"):
        tf.io.parse_single_example(RECORDS[0], {"x": F([2], tf.float32)})
    with pytest.raises(ValueError, match="Input serialized must be a scalar"):
        tf.io.parse_single_example(RECORDS, {"x": F([1], tf.float32)})


@pytest.mark.parametrize("features, message", [
    ({}, "Argument `features` cannot be None."),
    ({"x": F(None, tf.float32)}, "Missing shape for feature x."),
    ({"x": F([None], tf.float32)}, "First dimension of shape for feature x unknown."),
    ({"x": 3}, "Unsupported int 3 for key 'x'"),
])
def test_parse_spec_errors(features, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        tf.io.parse_example(RECORDS, features)


def test_default_value_must_fill_the_shape():
    # TensorFlow reshapes the default to the feature's shape: 1 value for shape [2] fails
    with pytest.raises(InvalidArgumentError, match="Input to reshape is a tensor with 1 values, "
                                                   "but the requested shape has 2"):
        tf.io.parse_example(RECORDS, {"q": F([2], tf.float32, default_value=3.0)})


def test_fast_parser_leniency_and_refusals():
    x25 = b"\x0a\x0d\x0a\x0b\x0a\x01x\x12\x06\x12\x04\x0a\x02" + b"\x00\x00"  # not float-sized
    spec = {"x": F([1], tf.float32, default_value=[-9.0])}
    # b"junk": 'j' is field 13, length-delimited, length 'u' = 117 > what is left: TF's
    # parser skips an unknown field even when it is cut short -> an empty Example
    assert tf.io.parse_example([b"junk"], spec)["x"].numpy().tolist() == [[-9.0]]
    # two Examples concatenated: the last x counts
    twice = X15 + X15.replace(b"\x00\x00\xc0\x3f", b"\x00\x00\x20\x40")  # 1.5 then 2.5
    assert tf.io.parse_example([twice], spec)["x"].numpy().tolist() == [[2.5]]
    # a packed float block of 2 bytes holds no whole float: 0 values
    with pytest.raises(InvalidArgumentError, match="Values size: 0 but output shape: \\[1\\]"):
        tf.io.parse_example([x25], {"x": F([1], tf.float32)})
    # a record that is not an Example; the message stops at its first NUL byte, as TF's
    with pytest.raises(InvalidArgumentError,
                       match=r"^Could not parse example input, value: 'a \[Op:ParseExampleV2\]$"):
        tf.io.parse_example([b"a\x00\x00"], spec)
    # trailing NUL bytes of a record in a Python list are kept (numpy's bytes dtype would
    # drop them): Int64List{0} ends in 00
    zero = _example(n=[0])
    assert zero.endswith(b"\x00")
    assert tf.io.parse_example([zero], {"n": F([], tf.int64)})["n"].numpy().tolist() == [0]
