import numpy as np
def main(tf):
    S = tf.strings
    out = {}
    def t(name, fn):
        try:
            v = fn()
            a = v.numpy()
            out[name] = [v.dtype.name if v.dtype.name != "object" else "string", list(v.shape),
                         [x.decode() if isinstance(x, bytes) else x for x in np.asarray(a).reshape(-1).tolist()]]
        except Exception as e:
            out[name] = f"{type(e).__name__}: {str(e).splitlines()[0][:150]}"
    t("lower", lambda: S.lower(["Paris", "LYON", "Élan"]))
    t("lower_utf8", lambda: S.lower(["Paris", "LYON", "ÉLAN"], encoding="utf-8"))
    t("upper", lambda: S.upper(tf.constant(["ab", "Cd"])))
    t("strip", lambda: S.strip(["  a b \t", "\nx\n", ""]))
    t("length", lambda: S.length(["abc", "", "é"]))
    t("length_char", lambda: S.length(["abc", "", "é"], unit="UTF8_CHAR"))
    t("regex_replace", lambda: S.regex_replace(["a1b22", "xyz"], r"\d+", "#"))
    t("regex_replace1", lambda: S.regex_replace(["a1b22"], r"\d", "#", replace_global=False))
    t("regex_group", lambda: S.regex_replace(["john smith"], r"(\w+) (\w+)", r"\2 \1"))
    t("full_match", lambda: S.regex_full_match(["abc", "ab1"], r"[a-z]+"))
    t("join", lambda: S.join([["a", "b"], ["x", "y"]], separator="-"))
    t("join_scalar", lambda: S.join([["a", "b"], "z"]))
    t("to_number", lambda: S.to_number(["1.5", " 2 ", "-3e2"]))
    t("to_number_int", lambda: S.to_number(["7", "-8"], out_type=tf.int32))
    t("to_number_int64", lambda: S.to_number(["7"], out_type=tf.int64))
    t("to_number_bad", lambda: S.to_number(["abc"]))
    t("to_number_badint", lambda: S.to_number(["1.5"], out_type=tf.int32))
    t("as_string_f", lambda: S.as_string([3.5, -0.25, 1e10]))
    t("as_string_p", lambda: S.as_string([3.14159], precision=2))
    t("as_string_sci", lambda: S.as_string([31415.9], scientific=True))
    t("as_string_short", lambda: S.as_string([0.1, 100.0, 1e-7], shortest=True))
    t("as_string_int", lambda: S.as_string([3, -12]))
    t("as_string_w", lambda: S.as_string([3, 12], width=4, fill="0"))
    t("as_string_b", lambda: S.as_string([True, False]))
    t("as_string_scalar", lambda: S.as_string(7))
    t("lower_scalar", lambda: S.lower("ABC"))
    t("lower_num", lambda: S.lower([1, 2]))
    return out
