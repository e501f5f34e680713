"""The errors of the new ops: class (tf.errors class for OpErrors) and message."""
import numpy as np
from _common import err, values


def main(tf):
    D = tf.data.Dataset
    f = lambda x: D.from_tensors(x).repeat(3)
    ragged = D.from_generator(lambda: (np.full(i, i, np.int64) for i in range(5)),
                              output_signature=tf.TensorSpec([None], tf.int64))
    Options = getattr(tf.data, "Options", None) or __import__(
        "cannery.data.dataset", fromlist=["Options"]).Options  # not yet in cannery.data
    cases = {
        "concat_dtype": lambda: D.range(3).concatenate(D.from_tensor_slices([1.0])),
        "concat_struct": lambda: D.range(3).concatenate(D.zip((D.range(1), D.range(1)))),
        "interleave_cycle0": lambda: D.range(3).interleave(f, cycle_length=0),
        "interleave_cycle_neg": lambda: D.range(3).interleave(f, cycle_length=-3),
        "interleave_block0": lambda: D.range(3).interleave(f, cycle_length=1, block_length=0),
        "interleave_par_cycle0": lambda: D.range(3).interleave(f, cycle_length=0, num_parallel_calls=2),
        "interleave_par_block0": lambda: D.range(3).interleave(f, cycle_length=2, block_length=0,
                                                               num_parallel_calls=2),
        "interleave_par_calls0": lambda: D.range(3).interleave(f, cycle_length=2, num_parallel_calls=0),
        "interleave_par_calls_gt": lambda: D.range(3).interleave(f, cycle_length=2, num_parallel_calls=4),
        "interleave_par_calls_gt_auto": lambda: values(D.range(3).interleave(f, num_parallel_calls=3)),
        "shard0": lambda: D.range(10).shard(0, 0),
        "shard_index": lambda: D.range(10).shard(3, 3),
        "shard_index_neg": lambda: D.range(10).shard(3, -1),
        "window0": lambda: D.range(7).window(0),
        "window_shift0": lambda: D.range(7).window(2, 0),
        "window_stride0": lambda: D.range(7).window(2, 1, 0),
        "padded_bs0": lambda: D.range(3).padded_batch(0),
        "padded_small": lambda: values(ragged.padded_batch(2, padded_shapes=[3])),
        "padded_incompat": lambda: D.from_tensor_slices([[1, 2, 3]]).padded_batch(2, padded_shapes=[2]),
        "padded_type": lambda: D.range(3).padded_batch(2, padding_values=-1),
        "padded_not_scalar": lambda: D.range(3).padded_batch(2, padding_values=np.array([1, 2])),
        "padded_sparse": lambda: D.from_tensors(tf.sparse.SparseTensor([[0]], [1], [3])).padded_batch(2),
        "single_empty": lambda: D.range(0).get_single_element(),
        "single_many": lambda: D.range(2).get_single_element(),
        "single_exp_type": lambda: tf.data.experimental.get_single_element([1]),
        "reduce_dtype": lambda: D.range(3).reduce((np.int64(0), np.int64(0)), lambda s, x: (s[0] + x, 1)),
        "reduce_arity": lambda: D.range(3).reduce((np.int64(0), np.int64(0)), lambda s, x: s[0] + x),
        "scan_not_pair": lambda: values(D.range(5).scan(np.int64(0), lambda s, x: s + x)),
        "scan_dtype": lambda: values(D.range(5).scan(0, lambda s, x: (tf.cast(s, tf.int64) + x, x))),
        "take_while_not_bool": lambda: values(D.range(10).take_while(lambda x: x)),
        "unique_float": lambda: D.from_tensor_slices([1.0]).unique(),
        "unique_tuple": lambda: D.from_tensor_slices(([1, 1], [2, 2])).unique(),
        "choose_empty": lambda: D.choose_from_datasets([], D.range(2)),
        "choose_not_ds": lambda: D.choose_from_datasets([D.range(1)], [0]),
        "choose_int32": lambda: D.choose_from_datasets([D.range(3)], D.range(3).map(lambda x: tf.cast(x, tf.int32))),
        "choose_range": lambda: values(D.choose_from_datasets([D.range(3)], D.from_tensor_slices(np.array([0, 2], np.int64)))),
        "choose_incompat": lambda: D.choose_from_datasets([D.range(3), D.from_tensor_slices([1.0])], D.range(2)),
        "sample_empty": lambda: D.sample_from_datasets([]),
        "sample_weights_len": lambda: D.sample_from_datasets([D.range(3), D.range(3)], weights=[1.0]),
        "sample_weights_int": lambda: D.sample_from_datasets([D.range(3), D.range(3)], weights=[1, 2]),
        "rebatch_scalar": lambda: D.range(8).rebatch(2),
        "assert_few": lambda: values(D.range(3).apply(tf.data.experimental.assert_cardinality(5))),
        "assert_one": lambda: values(D.range(3).apply(tf.data.experimental.assert_cardinality(1))),
        "assert_many": lambda: values(D.range(10).apply(tf.data.experimental.assert_cardinality(5))),
        "assert_inf": lambda: values(D.range(3).apply(tf.data.experimental.assert_cardinality(
            tf.data.experimental.INFINITE_CARDINALITY))),
        "map_and_batch_both": lambda: D.range(5).apply(tf.data.experimental.map_and_batch(
            lambda x: x, 2, num_parallel_batches=1, num_parallel_calls=2)),
        "len_inf": lambda: len(D.range(2).repeat()),
        "options_attr": lambda: setattr(Options(), "foo", 1),
        "options_type": lambda: setattr(Options(), "deterministic", 3),
        "options_frozen": lambda: setattr(D.range(2).options(), "deterministic", True),
        "list_files_none": lambda: D.list_files("/nonexistent-dir-xyz/*.csv"),
    }
    out = {}
    for name, fn in cases.items():
        result = err(tf, fn)
        out[name] = result if isinstance(result, (str, list)) else f"ok: {type(result).__name__}"
    return out
