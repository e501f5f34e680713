"""tf.io.gfile and tf.compat.v1.gfile against TensorFlow's local file system."""
import os
import pathlib

from common_tfr import attempt, norm, tmpdir


def main(tf):
    d = tmpdir()
    g = tf.io.gfile
    v1 = tf.compat.v1.gfile
    out = {}
    a = os.path.join(d, "a.txt")
    with open(a, "wb") as f:
        f.write(b"a\r\nb\rc\nlast")
    out["exists"] = [g.exists(a), g.exists(d), g.exists(os.path.join(d, "nope")),
                     g.exists(a.encode()), g.exists(pathlib.Path(a)), g.exists("file://" + a),
                     g.exists("file://localhost" + a), v1.Exists(a)]
    out["isdir"] = [g.isdir(d), g.isdir(a), g.isdir(os.path.join(d, "nope")), g.isdir("foo://x"),
                    v1.IsDirectory(d)]
    out["read"] = g.GFile(a).read()
    out["read_rb"] = g.GFile(a, "rb").read().hex()
    out["readlines"] = g.GFile(a).readlines()
    out["readlines_rb"] = [x.hex() for x in g.GFile(a, "rb").readlines()]
    out["iter"] = list(g.GFile(a))
    f = g.GFile(a)
    out["random"] = [f.read(3), f.tell(), f.seek(1), f.read(2), f.seek(-2, 2), f.read(),
                     f.size(), f.tell(), f.seek(2, 1) if False else None, f.seek(position=4),
                     f.tell(), f.readline(), f.tell()]
    out["seek_errors"] = [attempt(lambda: g.GFile(a).seek(), d),
                          attempt(lambda: g.GFile(a).seek(1, position=2), d),
                          attempt(lambda: g.GFile(a).seek(0, 3), d),
                          attempt(lambda: g.GFile(a).seek(-1), d),
                          attempt(lambda: g.GFile(a).seek(100), d),
                          attempt(lambda: g.GFile(a).seek(12), d)]
    out["props"] = [norm(g.GFile(a).name, d), g.GFile(a, "rb").mode, g.GFile(a).seekable()]
    out["mode_errors"] = [attempt(lambda: g.GFile(a, "x"), d),
                          attempt(lambda: g.GFile(a).write("x"), d),
                          attempt(lambda: g.GFile(os.path.join(d, "w0"), "w").read(), d)]
    out["read_missing"] = [type(g.GFile(os.path.join(d, "nope"))).__name__,
                           attempt(lambda: g.GFile(os.path.join(d, "nope")).read(), d),
                           attempt(lambda: g.GFile(d).read(), d)]
    w = os.path.join(d, "w.txt")
    f = g.GFile(w, "w")
    created_early = g.exists(w)
    f.write("abc")
    f.write(b"def")
    f.write(bytearray(b"g"))
    tell = f.tell()
    f.flush()
    f.close()
    f.close()
    with g.GFile(w, "a") as h:
        h.write("hij")
        tell_a = h.tell()
    with g.GFile(w, "rb") as h:
        content = h.read()
    out["write"] = [created_early, tell, tell_a, content.decode()]
    with g.GFile(w, "r+") as h:
        out["r_plus"] = [h.read(2), h.write("Z"), h.tell()]
    out["r_plus_after"] = open(w, "rb").read().decode()
    with g.GFile(w, "w+") as h:
        h.write("xy")
        h.flush()
        out["w_plus"] = h.read()
    f = g.GFile(w, "w")
    f.write("1")
    f.close()
    f.write("2")  # reopens, truncating
    f.close()
    out["write_after_close"] = open(w).read()
    out["write_errors"] = [attempt(lambda: g.GFile(os.path.join(d, "no", "w"), "w").write("x"), d),
                           attempt(lambda: g.GFile(os.path.join(d, "i"), "w").write(5), d)]
    with g.GFile(os.path.join(d, "u"), "w") as h:
        h.write("\u00e9\n")
    out["utf8_split"] = attempt(lambda: g.GFile(os.path.join(d, "u")).read(1), d)
    out["utf8"] = g.GFile(os.path.join(d, "u")).read()
    with v1.GFile(os.path.join(d, "e"), "w"):
        pass
    out["never_written"] = g.exists(os.path.join(d, "e"))
    open(os.path.join(d, "e"), "w").close()
    out["empty"] = [g.GFile(os.path.join(d, "e")).read(), g.GFile(os.path.join(d, "e")).readline(),
                    v1.Open(os.path.join(d, "e")).readlines(),
                    v1.FastGFile(os.path.join(d, "e")).read()]

    # directories
    sub = os.path.join(d, "sub")
    out["mkdir"] = [g.mkdir(sub), g.mkdir(sub), v1.MkDir(a),
                    attempt(lambda: g.mkdir(os.path.join(d, "x", "y")), d)]
    out["makedirs"] = [g.makedirs(os.path.join(d, "m", "n", "o")), g.makedirs(d),
                       v1.MakeDirs(os.path.join(d, "m", "n2")),
                       attempt(lambda: g.makedirs(a), d),
                       attempt(lambda: g.makedirs(os.path.join(a, "x", "y")), d)]
    out["listdir"] = [sorted(g.listdir(d)), sorted(g.listdir(d + "/")),
                      sorted(v1.ListDirectory(os.path.join(d, "m"))),
                      attempt(lambda: g.listdir(os.path.join(d, "nope")), d),
                      attempt(lambda: g.listdir(a), d),
                      attempt(lambda: g.listdir("foo://x"), d)]
    out["remove"] = [attempt(lambda: g.remove(os.path.join(d, "nope")), d),
                     attempt(lambda: g.remove(sub), d)]
    open(os.path.join(d, "r"), "w").close()
    out["remove_ok"] = [g.remove(os.path.join(d, "r")), g.exists(os.path.join(d, "r"))]
    b = os.path.join(d, "b.txt")
    open(b, "w").write("bee")
    out["rename"] = [attempt(lambda: g.rename(b, a), d),
                     attempt(lambda: g.rename(os.path.join(d, "nope"), os.path.join(d, "n2")), d),
                     g.rename(b, os.path.join(d, "c.txt")),
                     g.rename(os.path.join(d, "c.txt"), a, overwrite=True), open(a).read(),
                     v1.Rename(a, b), g.exists(a)]
    os.makedirs(os.path.join(d, "x1", "q"))
    os.makedirs(os.path.join(d, "x2", "q"))
    out["rename_dirs"] = [attempt(lambda: g.rename(os.path.join(d, "x1"), os.path.join(d, "x2"),
                                                   overwrite=True), d),
                          attempt(lambda: g.rename(b, os.path.join(d, "x2"), overwrite=True), d),
                          g.rename(os.path.join(d, "x1"), os.path.join(d, "x3")),
                          sorted(g.listdir(os.path.join(d, "x3")))]
    out["copy"] = [attempt(lambda: g.copy(b, os.path.join(d, "sub", "c")), d),
                   attempt(lambda: g.copy(b, os.path.join(d, "sub", "c")), d),
                   attempt(lambda: g.copy(b, os.path.join(d, "sub", "c"), overwrite=True), d),
                   attempt(lambda: g.copy(os.path.join(d, "nope"), os.path.join(d, "n3")), d),
                   attempt(lambda: g.copy(b, sub, overwrite=True), d),
                   attempt(lambda: g.copy(sub, os.path.join(d, "sub2")), d),
                   v1.Copy(b, os.path.join(d, "b2.txt")),
                   open(os.path.join(d, "sub", "c")).read()]
    st = g.stat(b)
    sd = v1.Stat(d)
    out["stat"] = [st.length, st.is_directory, isinstance(st.mtime_nsec, int),
                   st.mtime_nsec % 10**9, abs(st.mtime_nsec // 10**9 - int(os.stat(b).st_mtime)),
                   sd.is_directory, sd.length, type(st).__name__,
                   sorted(x for x in dir(st) if not x.startswith("_")),
                   attempt(lambda: g.stat(os.path.join(d, "nope")), d)]
    walked = [(norm(t, d), sorted(s), sorted(f)) for t, s, f in g.walk(d)]
    out["walk"] = sorted(walked)
    out["walk_order_parent_first"] = walked[0][0]
    up = [norm(t, d) for t, _, _ in g.walk(d, topdown=False)]
    out["walk_bottom_last"] = up[-1]
    out["walk_v1"] = sorted(norm(t, d) for t, _, _ in v1.Walk(d, in_order=False))
    out["walk_missing"] = list(g.walk(os.path.join(d, "nope")))
    out["rmtree"] = [attempt(lambda: g.rmtree(os.path.join(d, "nope")), d),
                     g.rmtree(os.path.join(d, "m")), g.exists(os.path.join(d, "m")),
                     g.rmtree(b), g.exists(b), v1.DeleteRecursively(os.path.join(d, "x2")),
                     v1.Remove(os.path.join(d, "b2.txt"))]
    open(os.path.join(d, ".hidden"), "w").close()
    out["glob"] = [sorted(norm(x, d) for x in g.glob(os.path.join(d, "*"))),
                   sorted(norm(x, d) for x in g.glob(os.path.join(d, "*", "*"))),
                   g.glob(os.path.join(d, "zz*")), g.glob(os.path.join(d, "nope")),
                   [norm(x, d) for x in g.glob(os.path.join(d, "a*"))],
                   [norm(x, d) for x in g.glob([os.path.join(d, "u"), os.path.join(d, "e"),
                                                os.path.join(d, "u")])],
                   sorted(norm(x, d) for x in v1.Glob(os.path.join(d, "[ue]"))),
                   sorted(norm(x, d) for x in g.glob(os.path.join(d, "?"))),
                   [norm(x, d) for x in g.glob("file://" + os.path.join(d, "u"))],
                   attempt(lambda: g.glob(os.path.join(d, "u").encode()), d)]
    out["join"] = [g.join("a", "b", "/c"), g.join("gs://b", "x", "y"), g.join("/a/", "b"),
                   g.join(b"a", b"b"), g.join("a")]
    out["schemes"] = [attempt(lambda: g.exists("foo://b/x"), d),
                      attempt(lambda: g.GFile("foo://b/x").read(), d),
                      attempt(lambda: g.makedirs("foo://b/x"), d),
                      attempt(lambda: g.remove("foo://b/x"), d),
                      attempt(lambda: g.stat("foo://b/x"), d)]
    out["registered_file"] = [s in g.get_registered_schemes() for s in ["file", ""]]
    return out
