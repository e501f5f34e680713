"""tf.io.parse_example / parse_single_example: outputs, dtypes, shapes, errors."""
import numpy as np


def _sparse(sp):
    return {"indices": sp.indices, "values": sp.values, "dense_shape": sp.dense_shape}


def _run(fn):
    try:
        result = fn()
    except Exception as e:  # noqa: BLE001 - comparing error behaviour
        msg = str(e)
        if "{{function_node" in msg:  # TF's eager op prefix, not part of the message
            msg = msg.split("}} ", 1)[1]
        return f"{type(e).__name__}: {msg.split(chr(10))[0]}"
    out = {}
    for key, value in result.items():
        if hasattr(value, "dense_shape"):
            out[key] = _sparse(value)
        else:
            out[key] = {"value": value.numpy(), "shape": list(value.shape),
                        "dtype": str(value.numpy().dtype), "type_has_numpy": hasattr(value, "numpy")}
    return out


def main(tf):
    T = tf.train
    F, V = tf.io.FixedLenFeature, tf.io.VarLenFeature

    def ex(**kw):
        feats = {}
        for k, v in kw.items():
            if v is None:
                feats[k] = T.Feature()
            elif isinstance(v[0], float):
                feats[k] = T.Feature(float_list=T.FloatList(value=v))
            elif isinstance(v[0], int):
                feats[k] = T.Feature(int64_list=T.Int64List(value=v))
            else:
                feats[k] = T.Feature(bytes_list=T.BytesList(value=v))
        return T.Example(features=T.Features(feature=feats)).SerializeToString()

    s = [ex(x=[1.5], n=[3], s=[b"a", b"b"], v=[1.0, 2.0]),
         ex(x=[2.5], s=[b"c"], v=[3.0, 4.0], e=None),
         ex(x=[-1.0], n=[-7], s=[b"d", b"e", b"f"], v=[5.0, 6.0])]
    one = s[0]
    cases = {
        "basic": lambda: tf.io.parse_example(s, {"x": F([1], tf.float32), "n": F([], tf.int64, default_value=7),
                                                "s": V(tf.string), "v": F([2], tf.float32)}),
        "v_2x1": lambda: tf.io.parse_example(s, {"v": F([2, 1], tf.float32)}),
        "str_dense": lambda: tf.io.parse_example(s, {"x": F((), tf.float32), "z": F([1], tf.string, default_value=["q"])}),
        "scalar_str_default": lambda: tf.io.parse_example(s, {"z": F([], tf.string, default_value="q")}),
        "default_2": lambda: tf.io.parse_example(s, {"z": F([2], tf.float32, default_value=[1, 2])}),
        "default_2x1": lambda: tf.io.parse_example(s, {"z": F([2, 1], tf.int64, default_value=[[1], [2]])}),
        "sparse_all": lambda: tf.io.parse_example(s, {"x": V(tf.float32), "n": V(tf.int64), "s": V(tf.string), "e": V(tf.float32)}),
        "sparse_absent": lambda: tf.io.parse_example(s, {"zz": V(tf.float32)}),
        "empty_feature_default": lambda: tf.io.parse_example(s, {"e": F([], tf.float32, default_value=9.0)}),
        "single": lambda: tf.io.parse_single_example(one, {"x": F([1], tf.float32), "s": V(tf.string), "n": F([], tf.int64)}),
        "scalar_to_parse_example": lambda: tf.io.parse_example(one, {"x": F([1], tf.float32), "s": V(tf.string)}),
        "str_input": lambda: tf.io.parse_example(np.array(s, dtype=object), {"x": F([1], tf.float32)}),
        "tf_constant": lambda: tf.io.parse_example(tf.constant(s), {"x": F([1], tf.float32)}),
        "empty_record": lambda: tf.io.parse_example([b""], {"x": F([1], tf.float32, default_value=[4.0]), "s": V(tf.string)}),
        "names_ok": lambda: tf.io.parse_example(s, {"x": F([1], tf.float32)}, example_names=["a", "b", "c"]),
        "dtype_str": lambda: tf.io.parse_example(s, {"x": F([1], "float32")}),
        # errors
        "missing": lambda: tf.io.parse_example(s, {"n": F([], tf.int64)}),
        "missing_empty_feature": lambda: tf.io.parse_example(s, {"e": F([], tf.float32)}),
        "missing_named": lambda: tf.io.parse_example(s, {"n": F([], tf.int64)}, example_names=["a", "b", "c"]),
        "wrong_len": lambda: tf.io.parse_example(s, {"x": F([2], tf.float32)}),
        "wrong_len_str": lambda: tf.io.parse_example(s, {"s": F([2], tf.string)}),
        "wrong_len_int": lambda: tf.io.parse_example(s, {"n": F([2], tf.int64, default_value=[0, 0])}),
        "wrong_type": lambda: tf.io.parse_example(s, {"x": F([], tf.int64)}),
        "wrong_type_sparse": lambda: tf.io.parse_example(s, {"x": V(tf.string)}),
        "single_missing": lambda: tf.io.parse_single_example(s[1], {"n": F([], tf.int64)}),
        "single_wrong_len": lambda: tf.io.parse_single_example(one, {"x": F([2], tf.float32)}),
        "single_wrong_type": lambda: tf.io.parse_single_example(one, {"x": F([], tf.int64)}),
        "single_wrong_type_sparse": lambda: tf.io.parse_single_example(one, {"x": V(tf.int64)}),
        "single_not_scalar": lambda: tf.io.parse_single_example(s, {"x": F([1], tf.float32)}),
        "single_no_features": lambda: tf.io.parse_single_example(one, {}),
        "no_features": lambda: tf.io.parse_example(s, {}),
        "none_features": lambda: tf.io.parse_example(s, None),
        "junk": lambda: tf.io.parse_example([b"junk"], {"x": F([1], tf.float32)}),
        "rank2": lambda: tf.io.parse_example([s], {"x": F([1], tf.float32)}),
        "shape_none": lambda: tf.io.parse_example(s, {"x": F(None, tf.float32)}),
        "shape_first_none": lambda: tf.io.parse_example(s, {"x": F([None], tf.float32)}),
        "shape_inner_none": lambda: tf.io.parse_example(s, {"x": F([1, None], tf.float32)}),
        "int32": lambda: tf.io.parse_example(s, {"x": F([], tf.int32)}),
        "float64": lambda: tf.io.parse_example(s, {"x": F([], tf.float64)}),
        "sparse_int32": lambda: tf.io.parse_example(s, {"x": V(tf.int32)}),
        "unsupported": lambda: tf.io.parse_example(s, {"x": 3}),
        "default_reshape": lambda: tf.io.parse_example(s, {"z": F([2], tf.float32, default_value=3.0)}),
        "default_int_float": lambda: tf.io.parse_example(s, {"z": F([1], tf.int64, default_value=[1.5])}),
        "default_str_int": lambda: tf.io.parse_example(s, {"z": F([1], tf.string, default_value=[1])}),
        "names_shape": lambda: tf.io.parse_example(s, {"x": F([1], tf.float32)}, example_names=["a"]),
    }
    # hand-made wire bytes: the fast parser's leniencies and refusals
    def d(tag, payload):  # one length-delimited field (payloads < 128 bytes)
        return bytes([tag, len(payload)]) + payload

    def entry(key, feature):
        return d(0x0A, d(0x0A, key) + d(0x12, feature))

    f15 = d(0x12, d(0x0A, b"\x00\x00\xc0\x3f"))  # Feature{float_list: [1.5]}
    f25 = d(0x12, d(0x0A, b"\x00\x00\x20\x40"))  # Feature{float_list: [2.5]}
    x15 = d(0x0A, entry(b"x", f15))
    x25 = d(0x0A, entry(b"x", f25))
    wire = {
        "junk": b"junk",
        "plain": x15,
        "concatenated_last_wins": x15 + x25,
        "dup_key_last_wins": d(0x0A, entry(b"x", f15) + entry(b"x", f25)),
        "unknown_varint_first": b"\x10\x05" + x15,
        "unknown_fixed32": b"\x15\x01\x02\x03\x04" + x15,
        "nul_in_junk": b"\x0b\x00zz",
        "truncated_unknown_delimited": x15 + b"\x12\x09ab",
        "truncated_fixed64": x15 + b"\x11\x00",
        "group": x15 + b"\x13",
        "unpacked_floats": d(0x0A, entry(b"x", d(0x12, b"\x0d\x00\x00\xc0\x3f"))),
        "unpacked_two_floats": d(0x0A, entry(b"x", d(0x12, b"\x0d\x00\x00\xc0\x3f\x0d\x00\x00\x20\x40"))),
        "packed_then_junk": d(0x0A, entry(b"x", d(0x12, d(0x0A, b"\x00\x00\xc0\x3f") + b"\x08\x01"))),
        "packed_two_bytes": d(0x0A, entry(b"x", d(0x12, d(0x0A, b"\x00\x00")))),
        "packed_ragged_bytes": d(0x0A, entry(b"x", d(0x12, d(0x0A, b"\x00\x00\xc0\x3f\x01")))),
        "feature_trailing_bytes": d(0x0A, entry(b"x", f15 + b"\x1a\x00")),
        "entry_value_first": d(0x0A, d(0x0A, d(0x12, f15) + d(0x0A, b"x"))),
        "entry_only_key": d(0x0A, d(0x0A, d(0x0A, b"x"))),
        "entry_extra_field": d(0x0A, d(0x0A, d(0x0A, b"x") + d(0x12, f15) + b"\x18\x01")),
        "unsupported_kind": d(0x0A, entry(b"x", b"\x22\x00")),
        "empty_feature": d(0x0A, entry(b"x", b"")),
        "wrong_kind_int": d(0x0A, entry(b"x", d(0x1A, d(0x0A, b"\x01")))),
        "features_non_entry": d(0x0A, b"\x10\x01"),
    }
    for label, record in wire.items():
        cases["wire_" + label] = (lambda r: lambda: tf.io.parse_example(
            [r], {"x": F([1], tf.float32, default_value=[-9.0])}))(record)
        cases["wire_sparse_" + label] = (lambda r: lambda: tf.io.parse_example(
            [r], {"x": V(tf.float32)}))(record)
    out = {name: _run(fn) for name, fn in cases.items()}
    return out
