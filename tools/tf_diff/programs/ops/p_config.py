"""tf.config's device and threading calls (cannery/config.py)."""
from _common import attempt


def main(tf):
    c = tf.config
    cases = {
        "phys": lambda: repr([c.list_physical_devices(), c.list_physical_devices("GPU"), c.list_physical_devices("cpu"), c.list_logical_devices(), c.get_visible_devices(), c.experimental.list_physical_devices("CPU")]),
        "logical_gpu": lambda: c.list_logical_devices("GPU"),
        "setvis": lambda: c.set_visible_devices(c.list_physical_devices("CPU")),
        "setvis_gpu_empty": lambda: c.set_visible_devices([], "GPU"),
        "visible_after": lambda: repr(c.get_visible_devices()),
        "threads": lambda: [c.threading.get_intra_op_parallelism_threads(), c.threading.get_inter_op_parallelism_threads()],
        "memgrowth": lambda: c.experimental.set_memory_growth(c.list_physical_devices("CPU")[0], True),
        "memgrowth_gpus": lambda: [c.experimental.set_memory_growth(g, True) for g in c.list_physical_devices("GPU")],
        "rfe": lambda: [c.functions_run_eagerly(), c.run_functions_eagerly(True), c.functions_run_eagerly(), c.run_functions_eagerly(False)],
        "soft": lambda: [c.get_soft_device_placement(), c.set_soft_device_placement(False), c.get_soft_device_placement()],
        "det": lambda: c.experimental.enable_op_determinism(),
        "tf32": lambda: [c.experimental.tensor_float_32_execution_enabled(), c.experimental.enable_tensor_float_32_execution(False), c.experimental.tensor_float_32_execution_enabled()],
        "details": lambda: c.experimental.get_device_details(c.list_physical_devices("CPU")[0]),
        "lconf": lambda: c.get_logical_device_configuration(c.list_physical_devices("CPU")[0]),
        "fields": lambda: [list(c.PhysicalDevice._fields), list(c.LogicalDevice._fields), repr(c.PhysicalDevice("/physical_device:CPU:0", "CPU"))],
    }
    return {name: attempt(function) for name, function in cases.items()}
