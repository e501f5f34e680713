"""sample_from_datasets (TensorFlow's RNG: RandomDataset + stateless_multinomial) and
choose_from_datasets."""
import numpy as np
from _common import card, values


def main(tf):
    D = tf.data.Dataset
    E = tf.data.experimental
    out = {}
    two = lambda: [D.range(0, 10), D.range(100, 110)]
    out["uniform"] = values(D.sample_from_datasets(two(), seed=7))
    out["weights"] = values(D.sample_from_datasets(
        [D.range(0, 10), D.range(100, 110), D.range(200, 210)], weights=[0.2, 0.5, 0.3], seed=11))
    out["weights64"] = values(D.sample_from_datasets(
        two(), weights=np.array([0.9, 0.1]), seed=5))
    # a tensor of weights keeps a weight-0 dataset (a list drops it): take() because the
    # selector never picks it and so would keep drawing once the other one is exhausted
    out["weights_tensor_zero"] = values(D.sample_from_datasets(
        [D.range(0, 10), D.range(100, 110).repeat()], weights=tf.constant([0.0, 1.0]),
        seed=5).take(5))
    out["stop"] = values(D.sample_from_datasets([D.range(0, 3), D.range(100, 110)], seed=7,
                                                stop_on_empty_dataset=True))
    out["zero_weight"] = values(D.sample_from_datasets([D.range(0, 3), D.range(100, 110)],
                                                       weights=[0.0, 1.0], seed=7))
    out["all_zero"] = values(D.sample_from_datasets([D.range(0, 3), D.range(100, 110)],
                                                    weights=[0.0, 0.0], seed=7))
    out["card"] = [card(D.sample_from_datasets(two())),
                   card(D.sample_from_datasets([D.range(3).repeat(), D.range(2)]))]
    out["spec"] = str(D.sample_from_datasets([D.from_tensor_slices([[1, 2]]),
                                              D.from_tensor_slices([[1, 2, 3]])], seed=1).element_spec)
    once = D.sample_from_datasets([D.range(0, 5), D.range(100, 105)], seed=3)
    out["passes_fixed"] = [values(once), values(once)]
    again = D.sample_from_datasets([D.range(0, 5), D.range(100, 105)], seed=3,
                                   rerandomize_each_iteration=True)
    out["passes_rerandomized"] = [values(again), values(again)]
    out["repeat_epochs"] = values(D.sample_from_datasets([D.range(0, 3), D.range(100, 103)],
                                                         seed=9).repeat(2))
    out["dict"] = values(D.sample_from_datasets(
        [D.from_tensor_slices({"a": [1, 2, 3]}), D.from_tensor_slices({"a": [7, 8, 9]})], seed=2).batch(2))
    wds = D.from_tensor_slices(np.array([[0.9, 0.1], [0.1, 0.9]] * 6, np.float32))
    out["weights_dataset"] = values(D.sample_from_datasets(two(), weights=wds, seed=4))
    out["experimental"] = values(E.sample_from_datasets(two(), seed=7))
    tf.random.set_seed(42)
    out["global_seed"] = values(D.sample_from_datasets(two()))
    out["global_seed_second_op"] = values(D.sample_from_datasets(two()))
    out["global_and_op"] = values(D.sample_from_datasets(two(), seed=7))
    choice = D.from_tensor_slices(np.array([0, 1, 1, 0, 0, 0, 1, 1], np.int64))
    out["choose"] = values(D.choose_from_datasets([D.range(3), D.range(10, 13)], choice))
    out["choose_go_on"] = values(D.choose_from_datasets([D.range(3), D.range(10, 13)], choice,
                                                        stop_on_empty_dataset=False))
    out["choose_experimental"] = values(E.choose_from_datasets([D.range(3), D.range(10, 13)], choice))
    out["choose_card"] = [card(D.choose_from_datasets([D.range(3), D.range(2)], D.range(2))),
                          card(D.choose_from_datasets([D.range(3).repeat(), D.range(2)], D.range(2)))]
    out["choose_cycle"] = values(D.choose_from_datasets(
        [D.from_tensors("a").repeat(), D.from_tensors("b").repeat()],
        D.range(2).repeat(3)))
    out["random"] = values(D.random(seed=5).take(6))
    out["random_spec"] = [str(D.random(seed=5).element_spec), card(D.random(seed=5))]
    return out
