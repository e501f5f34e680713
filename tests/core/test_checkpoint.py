"""Checkpoint files: format, atomic writes, the `checkpoint` state file, retention, damage."""

import io
import logging
import os
import subprocess
import sys

import msgpack
import numpy as np
import pytest

from cannery import checkpoint
from cannery.core import checkpoint as core
from cannery.registry import Entry


def _variables():
    return {
        "dnn/hiddenlayer_0/kernel": np.arange(6, dtype=np.float32).reshape(2, 3),
        "dnn/logits/bias": np.array([0.5], dtype=np.float32),
        "training/Adagrad/learning_rate": np.array(0.001, dtype=np.float32),
    }


def _files(model_dir):
    return sorted(n for n in os.listdir(model_dir) if n.startswith("model.ckpt"))


def _state(model_dir):
    with open(os.path.join(model_dir, "checkpoint")) as f:
        return f.read()


# -- round trip and format ---------------------------------------------------------------------


def test_round_trip_keeps_values_dtypes_shapes_spec_and_header(tmp_path):
    variables = {
        "a/f32": np.array([[1.5, -0.0], [np.nan, np.inf]], dtype=np.float32),
        "a/f64": np.float64(2.25),
        "a/i32": np.array([-3, 7], dtype=np.int32),
        "a/bool": np.array([True, False]),
        "a/empty": np.zeros((0, 4), dtype=np.float32),  # an empty table is still a variable
        "a/big_endian": np.array([1.0, 2.0], dtype=">f4"),
        "a/fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    }
    spec = {"estimator": {"type": "DNNClassifier", "hidden_units": [3]}, "n": None}
    path = checkpoint.write(tmp_path, variables, 12, spec=spec, plugins=["my_plugin"])

    assert path == os.path.join(str(tmp_path), "model.ckpt-12")
    ckpt = checkpoint.read(path)
    assert ckpt.global_step == 12
    assert ckpt.spec == spec
    assert ckpt.header["format_version"] == core.FORMAT_VERSION
    assert ckpt.header["cannery_version"] == cannery_version()
    assert ckpt.header["plugins"] == [{"name": "my_plugin"}]
    assert sorted(ckpt.variables) == sorted([*variables, "global_step"])
    for name, value in variables.items():
        expected = np.asarray(value)
        got = ckpt.variables[name]
        assert got.shape == expected.shape, name
        assert got.dtype == expected.dtype.newbyteorder("="), name
        # bitwise: NaN and -0.0 must survive exactly
        assert got.tobytes() == expected.astype(expected.dtype.newbyteorder("=")).tobytes(), name
        assert got.flags.writeable and got.flags.c_contiguous
    # global_step is an int64 scalar variable, as in TensorFlow (REFERENCE §5.11)
    assert ckpt.variables["global_step"].dtype == np.int64
    assert ckpt.variables["global_step"].shape == ()
    assert int(ckpt.variables["global_step"]) == 12


def cannery_version():
    from cannery import __version__

    return __version__


def test_file_is_preamble_then_a_msgpack_stream_of_metadata_and_raw_tensors(tmp_path):
    values = {"w": np.array([1.0, 2.0, 3.0], dtype=np.float32)}
    path = checkpoint.write(tmp_path, values, 3)
    with open(path, "rb") as f:
        data = f.read()
    assert data.startswith(core.MAGIC)
    unpacker = msgpack.Unpacker(io.BytesIO(data[core._PREAMBLE.size:]), raw=False)
    meta = next(unpacker)
    # table order is sorted by name: global_step, w
    assert [row[:3] for row in meta["variables"]] == [
        ["global_step", "int64", []],
        ["w", "float32", [3]],
    ]
    blobs = list(unpacker)
    assert blobs[0] == (3).to_bytes(8, "little")  # global_step = 3, int64 little-endian
    assert blobs[1] == np.array([1.0, 2.0, 3.0], dtype="<f4").tobytes()


def test_header_records_registry_entries_and_dicts(tmp_path):
    entry = Entry(kind="optimizer", name="Adagrad", component=object, plugin="builtin",
                  package="cannery", version="0.1.0", summary="x")
    checkpoint.write(tmp_path, {}, 0, plugins=[entry, {"name": "x", "package": "cannery-x",
                                                         "version": "2.0"}])
    ckpt = checkpoint.read(tmp_path)
    assert ckpt.header["plugins"] == [
        {"kind": "optimizer", "name": "Adagrad", "plugin": "builtin", "package": "cannery",
         "version": "0.1.0"},
        {"name": "x", "package": "cannery-x", "version": "2.0"},
    ]
    assert ckpt.package_providing("adagrad") == "cannery"
    assert ckpt.package_providing("X") == "cannery-x"
    assert ckpt.package_providing("nothing") is None


def test_random_round_trip_against_numpy(tmp_path):
    rng = np.random.default_rng(5)
    variables = {}
    for i in range(20):
        shape = tuple(rng.integers(0, 4, size=rng.integers(0, 3)))
        dtype = rng.choice(["float32", "float64", "int64", "int8", "uint16", "bool"])
        variables[f"v{i:02d}"] = (rng.standard_normal(shape) * 10).astype(dtype)
    checkpoint.write(tmp_path, variables, 99)
    ckpt = checkpoint.read(tmp_path)
    for name, value in variables.items():
        np.testing.assert_array_equal(ckpt.variables[name], value)
        assert ckpt.variables[name].dtype == value.dtype
        np.testing.assert_array_equal(checkpoint.load_variable(tmp_path, name), value)
    assert checkpoint.list_variables(tmp_path) == sorted(
        [(n, list(v.shape)) for n, v in variables.items()] + [("global_step", [])]
    )


def test_list_variables_lists_exactly_tensorflows_names(tmp_path):
    # REFERENCE §5.11: DNNClassifier default (Adagrad), hidden_units=[3], 2 numeric columns.
    variables = {
        "dnn/hiddenlayer_0/bias": np.zeros(3, np.float32),
        "dnn/hiddenlayer_0/kernel": np.zeros((2, 3), np.float32),
        "dnn/logits/bias": np.zeros(1, np.float32),
        "dnn/logits/kernel": np.zeros((3, 1), np.float32),
        "training/Adagrad/decay": np.array(0.0, np.float32),
        "training/Adagrad/learning_rate": np.array(0.001, np.float32),
    }
    for name in ("dnn/hiddenlayer_0/bias", "dnn/hiddenlayer_0/kernel", "dnn/logits/bias",
                 "dnn/logits/kernel"):
        variables[f"training/Adagrad/{name}/accumulator"] = np.full_like(variables[name], 0.1)
    checkpoint.write(tmp_path, variables, 0)
    assert checkpoint.list_variables(tmp_path) == [
        ("dnn/hiddenlayer_0/bias", [3]),
        ("dnn/hiddenlayer_0/kernel", [2, 3]),
        ("dnn/logits/bias", [1]),
        ("dnn/logits/kernel", [3, 1]),
        ("global_step", []),
        ("training/Adagrad/decay", []),
        ("training/Adagrad/dnn/hiddenlayer_0/bias/accumulator", [3]),
        ("training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator", [2, 3]),
        ("training/Adagrad/dnn/logits/bias/accumulator", [1]),
        ("training/Adagrad/dnn/logits/kernel/accumulator", [3, 1]),
        ("training/Adagrad/learning_rate", []),
    ]
    # REFERENCE §5.11: training/Adagrad/learning_rate () = 0.001
    assert checkpoint.load_variable(tmp_path, "training/Adagrad/learning_rate") == \
        np.float32(0.001)


def test_load_variable_unknown_name_lists_close_names(tmp_path):
    checkpoint.write(tmp_path, _variables(), 1)
    with pytest.raises(checkpoint.VariableNotFoundError) as info:
        checkpoint.load_variable(tmp_path, "dnn/logit/bias")
    message = str(info.value)
    assert message.startswith("Key dnn/logit/bias not found in checkpoint ")
    assert "model.ckpt-1" in message
    assert "Did you mean: dnn/logits/bias" in message


def test_describe(tmp_path):
    checkpoint.write(tmp_path, _variables(), 4, spec={"type": "x"})
    info = checkpoint.describe(tmp_path)
    assert info["global_step"] == 4
    assert info["spec"] == {"type": "x"}
    assert info["path"].endswith("model.ckpt-4")
    assert info["variables"][0] == {"name": "dnn/hiddenlayer_0/kernel", "shape": [2, 3],
                                    "dtype": "float32", "nbytes": 24}
    assert [v["name"] for v in info["variables"]] == sorted(
        [*_variables(), "global_step"])


def test_write_rejects_bad_input_naming_the_variable(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="variable names: expected a numeric"):
        checkpoint.write(tmp_path, {"names": np.array(["a", "b"])}, 0)
    with pytest.raises(checkpoint.CheckpointError,
                       match=r"variable global_step: expected 5 .* received 4"):
        checkpoint.write(tmp_path, {"global_step": np.int64(4)}, 5)
    with pytest.raises(checkpoint.CheckpointError, match="global_step: expected an integer"):
        checkpoint.write(tmp_path, {}, -1)
    with pytest.raises(checkpoint.CheckpointError, match="spec: expected plain data"):
        checkpoint.write(tmp_path, {}, 0, spec={"f": object()})
    assert _files(tmp_path) == []  # nothing half-written


# -- the `checkpoint` state file ------------------------------------------------------------------


def test_state_file_is_tensorflows_text_format(tmp_path):
    for step in (0, 10, 20):
        checkpoint.write(tmp_path, _variables(), step)
    assert _state(tmp_path) == (
        'model_checkpoint_path: "model.ckpt-20"\n'
        'all_model_checkpoint_paths: "model.ckpt-0"\n'
        'all_model_checkpoint_paths: "model.ckpt-10"\n'
        'all_model_checkpoint_paths: "model.ckpt-20"\n'
    )


def test_state_file_written_by_tensorflow_is_understood(tmp_path):
    # Verbatim from a TF 2.15 model_dir (shared/data/tf_checkpoints/baseline/checkpoint).
    (tmp_path / "checkpoint").write_text(
        'model_checkpoint_path: "model.ckpt-30"\n'
        'all_model_checkpoint_paths: "model.ckpt-0"\n'
        'all_model_checkpoint_paths: "model.ckpt-15"\n'
        'all_model_checkpoint_paths: "model.ckpt-30"\n'
        "all_model_checkpoint_timestamps: 1700000000.5\n"
        "last_preserved_timestamp: 1699999999.0\n"
    )
    latest, paths = core.read_checkpoint_state(str(tmp_path))
    assert latest == os.path.join(str(tmp_path), "model.ckpt-30")
    assert paths == [os.path.join(str(tmp_path), f"model.ckpt-{s}") for s in (0, 15, 30)]


def test_latest_checkpoint_follows_state_file_then_falls_back_to_scanning(tmp_path):
    assert checkpoint.latest_checkpoint(tmp_path) is None
    checkpoint.write(tmp_path, _variables(), 3)
    checkpoint.write(tmp_path, _variables(), 7)
    assert checkpoint.latest_checkpoint(tmp_path) == str(tmp_path / "model.ckpt-7")
    # The state file is authoritative, as in TF: point it at step 3.
    core.write_checkpoint_state(str(tmp_path), str(tmp_path / "model.ckpt-3"), [])
    assert checkpoint.latest_checkpoint(tmp_path) == str(tmp_path / "model.ckpt-3")
    # It names a file that is gone: scan (highest step wins, temp files ignored).
    os.remove(tmp_path / "model.ckpt-3")
    (tmp_path / ".model.ckpt-9.abc.tmp").write_bytes(b"partial")
    assert checkpoint.latest_checkpoint(tmp_path) == str(tmp_path / "model.ckpt-7")
    os.remove(tmp_path / "checkpoint")
    assert checkpoint.latest_checkpoint(tmp_path) == str(tmp_path / "model.ckpt-7")
    assert checkpoint.read(tmp_path).global_step == 7


# -- retention (REFERENCE §5.2) -----------------------------------------------------------------


def test_retention_steps5_every2_max3_keeps_2_4_5(tmp_path):
    # REFERENCE §5.2 [V]: steps=5, save_checkpoints_steps=2, keep_checkpoint_max=3 -> saves at
    # session creation (0), steps 2 and 4, and at the end (5); kept 2, 4, 5.
    manager = checkpoint.CheckpointManager(tmp_path, keep_checkpoint_max=3)
    for step in (0, 2, 4, 5):
        manager.save(_variables(), step)
    assert _files(tmp_path) == ["model.ckpt-2", "model.ckpt-4", "model.ckpt-5"]
    assert _state(tmp_path) == (
        'model_checkpoint_path: "model.ckpt-5"\n'
        'all_model_checkpoint_paths: "model.ckpt-2"\n'
        'all_model_checkpoint_paths: "model.ckpt-4"\n'
        'all_model_checkpoint_paths: "model.ckpt-5"\n'
    )


def test_retention_three_train_calls_max2_keeps_4_6(tmp_path):
    # REFERENCE §5.2 [V]: keep_checkpoint_max=2, three train(steps=2) calls -> saves
    # 0,2 | 2,4 | 4,6 -> kept 4, 6. Each train() call opens a new manager (as TF a new Saver
    # that recovers the list from the state file); re-saving the restored step moves it to
    # the newest slot instead of listing it twice.
    for saves in ((0, 2), (2, 4), (4, 6)):
        manager = checkpoint.CheckpointManager(tmp_path, keep_checkpoint_max=2)
        for step in saves:
            manager.save(_variables(), step)
    assert _files(tmp_path) == ["model.ckpt-4", "model.ckpt-6"]
    assert _state(tmp_path) == (
        'model_checkpoint_path: "model.ckpt-6"\n'
        'all_model_checkpoint_paths: "model.ckpt-4"\n'
        'all_model_checkpoint_paths: "model.ckpt-6"\n'
    )


def test_keep_checkpoint_every_n_hours_exempts_one_per_period(tmp_path):
    now = [0.0]
    manager = checkpoint.CheckpointManager(tmp_path, keep_checkpoint_max=2,
                                           keep_checkpoint_every_n_hours=1,
                                           clock=lambda: now[0])
    # Saver rule: the first exemption deadline is creation + 1h = 3600 s; a checkpoint that
    # falls off the list is kept if it was saved after the deadline, which then moves 1h on.
    # save times: s0@0 s1@1000 s2@4000 s3@5000 s4@6000 s5@7000
    #   s2 saved -> s0 (0 <= 3600) deleted; s3 -> s1 (1000) deleted;
    #   s4 -> s2 (4000 > 3600) kept, deadline 7200; s5 -> s3 (5000 <= 7200) deleted.
    for step, at in enumerate((0, 1000, 4000, 5000, 6000, 7000)):
        now[0] = at
        manager.save(_variables(), step)
    assert _files(tmp_path) == ["model.ckpt-2", "model.ckpt-4", "model.ckpt-5"]
    assert manager.checkpoints == [str(tmp_path / "model.ckpt-4"),
                                   str(tmp_path / "model.ckpt-5")]


def test_keep_checkpoint_max_zero_keeps_every_file_and_lists_the_newest(tmp_path):
    manager = checkpoint.CheckpointManager(tmp_path, keep_checkpoint_max=0)
    for step in (0, 1, 2):
        manager.save(_variables(), step)
    assert _files(tmp_path) == ["model.ckpt-0", "model.ckpt-1", "model.ckpt-2"]
    # TF's Saver with max_to_keep=0 records nothing, so the state lists only the latest.
    assert _state(tmp_path) == (
        'model_checkpoint_path: "model.ckpt-2"\n'
        'all_model_checkpoint_paths: "model.ckpt-2"\n'
    )


def test_write_applies_keep_checkpoint_max(tmp_path):
    for step in (1, 2, 3, 4):
        checkpoint.write(tmp_path, _variables(), step, keep_checkpoint_max=2)
    assert _files(tmp_path) == ["model.ckpt-3", "model.ckpt-4"]
    checkpoint.write(tmp_path, _variables(), 5)  # None keeps (and lists) all
    assert _files(tmp_path) == ["model.ckpt-3", "model.ckpt-4", "model.ckpt-5"]
    assert _state(tmp_path).count("all_model_checkpoint_paths") == 3


def test_manager_validates_arguments(tmp_path):
    with pytest.raises(ValueError, match="keep_checkpoint_max: expected None or an integer"):
        checkpoint.CheckpointManager(tmp_path, keep_checkpoint_max=-1)
    with pytest.raises(ValueError, match="keep_checkpoint_every_n_hours: expected a number"):
        checkpoint.CheckpointManager(tmp_path, keep_checkpoint_every_n_hours=0)


# -- atomicity and damage --------------------------------------------------------------------------


def test_crash_during_write_leaves_the_previous_checkpoint_intact(tmp_path, monkeypatch):
    checkpoint.write(tmp_path, {"w": np.ones(3, np.float32)}, 1)
    before = (tmp_path / "model.ckpt-1").read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(core.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        checkpoint.write(tmp_path, {"w": np.zeros(3, np.float32)}, 1)
    monkeypatch.undo()
    assert (tmp_path / "model.ckpt-1").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["checkpoint", "model.ckpt-1"]  # no temp left


def test_a_full_disk_names_the_checkpoint_it_could_not_write(tmp_path, monkeypatch):
    import errno

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(core.os, "fsync", full)
    with pytest.raises(OSError) as info:
        checkpoint.write(tmp_path, {"w": np.ones(3, np.float32)}, 2)
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC
    assert str(info.value) == (f"[Errno 28] No space left on device: "
                               f"'{tmp_path / 'model.ckpt-2'}'")
    assert os.listdir(tmp_path) == []  # the temporary file is gone


def test_writes_are_fsynced_before_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(core.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd)))
    monkeypatch.setattr(core.os, "replace",
                        lambda a, b: (events.append(f"replace {os.path.basename(b)}"),
                                      real_replace(a, b)))
    checkpoint.write(tmp_path, _variables(), 0)
    # file fsync, rename, directory fsync -- for the checkpoint, then the state file
    assert events == ["fsync", "replace model.ckpt-0", "fsync",
                      "fsync", "replace checkpoint", "fsync"]


def _damaged_copy(tmp_path, mutate):
    path = checkpoint.write(tmp_path, _variables(), 3)
    data = bytearray(open(path, "rb").read())
    data = mutate(data)
    with open(path, "wb") as f:
        f.write(data)
    return path


@pytest.mark.parametrize("cut", [5, 20, 40, -30, -1])
def test_truncated_checkpoint_is_reported_naming_the_file(tmp_path, cut):
    path = _damaged_copy(tmp_path, lambda d: d[:cut])
    with pytest.raises(checkpoint.CheckpointError) as info:
        checkpoint.read(path)
    message = str(info.value)
    assert path in message
    # the first 16 bytes are the signature: cutting inside it leaves an unrecognisable file
    assert ("truncated" in message) or (cut == 5 and "not a cannery checkpoint" in message)


def test_bit_flip_in_a_tensor_is_reported_naming_the_variable(tmp_path):
    def flip_last(data):
        data[-1] ^= 0x01  # last byte of the last tensor in name order
        return data

    path = _damaged_copy(tmp_path, flip_last)
    with pytest.raises(checkpoint.CheckpointError,
                       match="checksum mismatch in variable training/Adagrad/learning_rate"):
        checkpoint.read(path)
    # a variable that is not damaged still loads on its own
    np.testing.assert_array_equal(checkpoint.load_variable(path, "dnn/logits/bias"), [0.5])


def test_bit_flip_in_metadata_and_trailing_garbage_are_reported(tmp_path):
    def flip_meta(data):
        data[core._PREAMBLE.size + 3] ^= 0x40
        return data

    path = _damaged_copy(tmp_path, flip_meta)
    with pytest.raises(checkpoint.CheckpointError, match="metadata checksum does not match"):
        checkpoint.read(path)
    path = _damaged_copy(tmp_path, lambda d: d + b"junk")
    with pytest.raises(checkpoint.CheckpointError, match="trailing data"):
        checkpoint.read(path)


def test_foreign_and_newer_files_are_refused(tmp_path):
    foreign = tmp_path / "model.ckpt-1"
    foreign.write_bytes(b"\x80\x04\x95pickle data")
    with pytest.raises(checkpoint.CheckpointError, match="is not a cannery checkpoint"):
        checkpoint.read(foreign)

    def bump_version(data):
        data[len(core.MAGIC)] = core.FORMAT_VERSION + 1
        return data

    path = _damaged_copy(tmp_path, bump_version)
    with pytest.raises(checkpoint.CheckpointError,
                       match=f"format version {core.FORMAT_VERSION + 1}, newer"):
        checkpoint.read(path)
    with pytest.raises(checkpoint.CheckpointError, match="does not exist"):
        checkpoint.read(tmp_path / "model.ckpt-404")
    with pytest.raises(checkpoint.CheckpointError, match="Couldn't find 'checkpoint' file"):
        checkpoint.read(_empty(tmp_path))


def _empty(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    return empty


def test_latest_intact_checkpoint_skips_damaged_ones_with_a_warning(tmp_path, caplog):
    checkpoint.write(tmp_path, {"w": np.full(2, 1.0, np.float32)}, 10)
    newest = checkpoint.write(tmp_path, {"w": np.full(2, 2.0, np.float32)}, 20)
    data = open(newest, "rb").read()
    with open(newest, "wb") as f:
        f.write(data[: len(data) // 2])  # a crash of some other writer, or a bad disk
    with caplog.at_level(logging.WARNING, logger="cannery.core.checkpoint"):
        ckpt = checkpoint.latest_intact_checkpoint(tmp_path)
    assert ckpt.global_step == 10
    np.testing.assert_array_equal(ckpt.variables["w"], [1.0, 1.0])
    assert any(newest in r.getMessage() and "truncated" in r.getMessage()
               for r in caplog.records)
    assert checkpoint.latest_intact_checkpoint(_empty(tmp_path)) is None


# -- restoring into a model ----------------------------------------------------------------------


def _model_variables(optimizer="Adagrad", slot="accumulator"):
    return {
        "dnn/logits/bias": np.zeros(1, np.float32),
        "global_step": np.array(0, np.int64),
        f"training/{optimizer}/learning_rate": np.array(0.05, np.float32),
        f"training/{optimizer}/dnn/logits/bias/{slot}": np.full(1, 0.1, np.float32),
    }


def test_restore_overwrites_in_place(tmp_path):
    saved = _model_variables()
    saved["dnn/logits/bias"][:] = 1.25
    saved["training/Adagrad/dnn/logits/bias/accumulator"][:] = 3.0
    saved["global_step"][...] = 8
    checkpoint.write(tmp_path, saved, 8)
    model = _model_variables()
    bias = model["dnn/logits/bias"]
    ckpt = checkpoint.restore(model, tmp_path)
    assert ckpt.global_step == 8
    assert model["dnn/logits/bias"] is bias and bias[0] == 1.25
    assert model["training/Adagrad/dnn/logits/bias/accumulator"][0] == 3.0
    assert model["global_step"] == 8


def test_restore_from_model_variables_only_keeps_fresh_slots(tmp_path):
    # What a user migrating weights writes: model variables, no optimizer state at all.
    checkpoint.write(tmp_path, {"dnn/logits/bias": np.array([0.75], np.float32)}, 100)
    model = _model_variables()
    checkpoint.restore(model, tmp_path)
    assert model["dnn/logits/bias"][0] == 0.75
    assert model["global_step"] == 100
    assert model["training/Adagrad/dnn/logits/bias/accumulator"][0] == np.float32(0.1)
    assert model["training/Adagrad/learning_rate"] == np.float32(0.05)


def test_restore_with_another_optimizers_slots_names_the_missing_key(tmp_path):
    # REFERENCE §5.3 [V]: switching optimizer on an existing model_dir fails with
    # "Key training/SGD/... not found in checkpoint".
    checkpoint.write(tmp_path, _model_variables(), 0)
    model = _model_variables("SGD", "momentum")
    before = {k: v.copy() for k, v in model.items()}
    with pytest.raises(checkpoint.VariableNotFoundError) as info:
        checkpoint.restore(model, tmp_path)
    message = str(info.value)
    assert message.startswith("Key training/SGD/")
    assert "not found in checkpoint" in message
    assert "training/Adagrad" in message  # says what the checkpoint holds instead
    for name, value in before.items():  # nothing was half-restored
        np.testing.assert_array_equal(model[name], value)


def test_restore_missing_model_variable_and_shape_mismatch(tmp_path):
    checkpoint.write(tmp_path, {"dnn/logits/bias": np.zeros(2, np.float32)}, 1)
    with pytest.raises(checkpoint.VariableNotFoundError,
                       match="Key dnn/logits/kernel not found in checkpoint"):
        checkpoint.restore({"dnn/logits/kernel": np.zeros((3, 1), np.float32)}, tmp_path)
    with pytest.raises(checkpoint.CheckpointError,
                       match=r"variable dnn/logits/bias: expected shape \[1\], received shape "
                             r"\[2\]"):
        checkpoint.restore({"dnn/logits/bias": np.zeros(1, np.float32)}, tmp_path)


def test_restore_casts_within_a_kind_but_not_across(tmp_path):
    # Users writing checkpoints by hand often hold float64 arrays.
    checkpoint.write(tmp_path, {"b": np.array([0.5, 1.5])}, 0)
    model = {"b": np.zeros(2, np.float32)}
    checkpoint.restore(model, tmp_path)
    assert model["b"].dtype == np.float32 and model["b"].tolist() == [0.5, 1.5]
    with pytest.raises(checkpoint.CheckpointError,
                       match="variable b: expected dtype int32, received dtype float64"):
        checkpoint.restore({"b": np.zeros(2, np.int32)}, tmp_path)


def test_public_modules_do_not_import_numba():
    code = ("import sys, cannery.checkpoint, cannery.core.warm_start; "
            "sys.exit('numba' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_failed_restore_changes_nothing(tmp_path):
    checkpoint.write(tmp_path, {"a": np.ones(2, np.float32), "b": np.ones(3, np.float32)}, 0)
    model = {"a": np.zeros(2, np.float32), "b": np.zeros(4, np.float32)}  # b will not fit
    with pytest.raises(checkpoint.CheckpointError, match="variable b: expected shape"):
        checkpoint.restore(model, tmp_path)
    assert model["a"].tolist() == [0.0, 0.0]


def test_manager_in_a_tensorflow_model_dir_retires_tensorflows_files(tmp_path):
    # A TF model_dir: prefixes with .index/.data/.meta files, listed in the state file.
    for step in (0, 10):
        for suffix in (".index", ".data-00000-of-00001", ".meta"):
            (tmp_path / f"model.ckpt-{step}{suffix}").write_bytes(b"tf")
    core.write_checkpoint_state(str(tmp_path), str(tmp_path / "model.ckpt-10"),
                                [str(tmp_path / "model.ckpt-0")])
    manager = checkpoint.CheckpointManager(tmp_path, keep_checkpoint_max=2)
    assert manager.checkpoints == [str(tmp_path / "model.ckpt-0"),
                                   str(tmp_path / "model.ckpt-10")]
    manager.save(_variables(), 20)
    # step 0 fell off the list: all three of its TF files are gone
    assert _files(tmp_path) == ["model.ckpt-10.data-00000-of-00001", "model.ckpt-10.index",
                                "model.ckpt-10.meta", "model.ckpt-20"]


def test_write_file_for_exports_touches_no_state(tmp_path):
    target = tmp_path / "export" / "1700000000" / "variables" / "variables"
    path = checkpoint.write_file(target, {"w": np.array([2.0], np.float32)}, 6)
    assert path == str(target)
    assert sorted(os.listdir(target.parent)) == ["variables"]
    ckpt = checkpoint.read(target)
    assert ckpt.global_step == 6 and ckpt.variables["w"].tolist() == [2.0]
