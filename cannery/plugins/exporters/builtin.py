"""The built-in ``saved_model`` exporter (msgpack manifest + a variables checkpoint)."""

from __future__ import annotations

import logging
import os
import shutil
import time

from cannery.core.hookspecs import hookimpl

logger = logging.getLogger("cannery")

MODES = ("train", "eval", "infer")


class SavedModelExporter:
    """Writes ``<export_dir_base>/<timestamp>/`` for serving without the training code."""

    registered_name = "saved_model"

    def export(self, estimator, export_dir_base, serving_input_receiver_fn=None,
               assets_extra=None, as_text=False, checkpoint_path=None, modes=("infer",)):
        """Write one export and return its path as bytes (like TensorFlow).

        Args:
            estimator: a cannery estimator.
            export_dir_base: the parent directory of the timestamped export.
            serving_input_receiver_fn: defines the signature; None derives it from the
                feature columns.
            assets_extra: ``{destination relative path: source path}`` copied under
                ``assets.extra/``.
            as_text: also write the manifest as JSON (``saved_model.json``).
            checkpoint_path: the checkpoint to export (default: the latest).
            modes: which of ``train``, ``eval``, ``infer`` the export serves; ``train``
                includes the optimizer state.

        Raises:
            ValueError: no trained model to export.
        """
        from cannery.core import checkpoint as ckpt
        from cannery.core import export as layout

        unknown = [m for m in modes if m not in MODES]
        if unknown:
            raise ValueError(f"unknown export modes {unknown}; expected some of {MODES}")
        state = _state_to_export(estimator, checkpoint_path, with_optimizer="train" in modes)
        signature = _signature(estimator, serving_input_receiver_fn)
        export_dir_base = os.fsdecode(export_dir_base)
        os.makedirs(export_dir_base, exist_ok=True)
        final_dir = _free_timestamp_dir(export_dir_base)
        temp_dir = os.path.join(export_dir_base, f"temp-{os.path.basename(final_dir)}")
        shutil.rmtree(temp_dir, ignore_errors=True)
        os.makedirs(os.path.join(temp_dir, "variables"))
        try:
            variables = state.checkpoint_variables() if "train" in modes else dict(state.variables)
            plugins = estimator._checkpoint_plugins()
            ckpt.write_file(layout.variables_path(temp_dir), variables, state.global_step,
                            estimator._spec(), plugins)
            spec = estimator._spec()
            manifest = {
                "format": layout.FORMAT,
                "format_version": layout.FORMAT_VERSION,
                "cannery_version": _version(),
                "plugins": plugins,
                "spec": spec,
                "global_step": int(state.global_step),
                "signature": signature,
                "modes": list(modes),
                "assets": layout.copy_assets(spec, temp_dir),
            }
            layout.write_manifest(temp_dir, manifest)
            if as_text:
                import json

                with open(os.path.join(temp_dir, "saved_model.json"), "w") as f:
                    json.dump(manifest, f, indent=2, default=str)
            for destination, source in (assets_extra or {}).items():
                target = os.path.join(temp_dir, "assets.extra", destination)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copyfile(source, target)
            os.replace(temp_dir, final_dir)
        except BaseException:
            shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        logger.info("SavedModel written to: %s", final_dir)
        return final_dir.encode()


def _version():
    from cannery._version import __version__

    return __version__


def _free_timestamp_dir(base):
    for _ in range(10):
        candidate = os.path.join(base, str(int(time.time())))
        if not os.path.exists(candidate):
            return candidate
        time.sleep(1)
    raise RuntimeError(f"Failed to obtain a unique export directory name under {base} "
                       "after 10 attempts.")


def _state_to_export(estimator, checkpoint_path, with_optimizer):
    from cannery.core import checkpoint as ckpt

    if checkpoint_path is None:
        checkpoint_path = ckpt.latest_checkpoint(estimator.model_dir)
    if checkpoint_path is not None:
        checkpoint = ckpt.read(checkpoint_path)
        state = estimator._state_from_checkpoint(checkpoint)
        if with_optimizer:
            estimator._attach_trainers(state, checkpoint.variables)
        return state
    if estimator._warm_start_settings is None:
        raise ValueError(f"Couldn't find trained model at {estimator.model_dir}.")
    state = estimator._restore(for_training=True)
    if with_optimizer:
        estimator._attach_trainers(state, None)
    return state


def _signature(estimator, serving_input_receiver_fn):
    from cannery.feature_column import make_parse_example_spec

    if serving_input_receiver_fn is not None:
        from cannery.estimator.export import receiver_signature, single_string_receiver

        receiver = serving_input_receiver_fn()
        inputs = receiver_signature(receiver)
        examples_input = single_string_receiver(receiver)
    else:
        specs = make_parse_example_spec(estimator._feature_columns_used())
        inputs = {key: _plain_parse_spec(spec) for key, spec in specs.items()}
        examples_input = True  # what a parsing receiver over these columns gives
    keys = list(estimator.head.prediction_keys)
    return {"inputs": inputs, "outputs": keys,
            "signature_defs": signature_defs(keys, examples_input)}


def signature_defs(prediction_keys, examples_input: bool) -> dict:
    """TensorFlow's signature names and their output keys for a canned head's export.

    TF's heads export ``predict`` (every prediction), ``classification`` (``classes`` =
    ``all_classes``, ``scores`` = ``probabilities``) for classifiers, ``regression``
    (``outputs`` = ``logistic`` for a binary classifier, ``predictions`` for a
    regressor) and ``serving_default`` (the classification, else the regression
    output). Classification and regression signatures need a receiver of one string
    tensor (a parsing receiver); with any other receiver only ``predict`` remains, and
    there is no ``serving_default`` (TF's ``build_all_signature_defs`` drops them).

    Returns:
        ``{signature name: {output key: prediction key}}``; a head whose prediction
        keys are not all strings (a multi-head's ``(head, key)`` pairs) gets
        ``{"predict": None}`` (every prediction, as :meth:`Predictor.predict`).
    """
    if not all(isinstance(key, str) for key in prediction_keys):
        return {"predict": None}
    keys = set(prediction_keys)
    out = {"predict": {key: key for key in prediction_keys}}
    if not examples_input:
        return out
    default = None
    if {"all_classes", "probabilities"} <= keys:
        out["classification"] = {"classes": "all_classes", "scores": "probabilities"}
        default = "classification"
    if "logistic" in keys:
        out["regression"] = {"outputs": "logistic"}
    elif "predictions" in keys and "all_classes" not in keys:
        out["regression"] = {"outputs": "predictions"}
        default = default or "regression"
    if default is not None:
        out["serving_default"] = dict(out[default])
    return out


def _plain_parse_spec(spec):
    from cannery.core import spec as spec_module

    plain = spec.as_dict() if hasattr(spec, "as_dict") else dict(spec)
    return spec_module._to_plain(plain, "signature")


@hookimpl
def register_exporters(register):
    register(SavedModelExporter())
