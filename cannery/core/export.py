"""Export layout shared by the ``saved_model`` exporter and :mod:`cannery.serving`.

``<export_dir_base>/<timestamp>/`` holds ``saved_model.msgpack`` (the manifest: format,
versions, the plugins used, the model spec, the signature and the modes) and
``variables/variables``, a regular cannery checkpoint file with the model variables
(and, for a TRAIN export, the optimizer state), so ``warm_start_from=<export dir>``
works, and ``assets/`` the vocabulary files the model reads (the manifest's ``assets``
maps each path named in the spec to its copy, which serving reads instead, as
TensorFlow's SavedModel does). Nothing is pickled.
"""

from __future__ import annotations

import functools
import os
import shutil

import attrs
import msgpack

ASSETS_DIRECTORY = "assets"

MANIFEST = "saved_model.msgpack"
FORMAT = "cannery.saved_model"
FORMAT_VERSION = 1


class ExportError(ValueError):
    """An export directory that cannot be loaded; the message names the file and the problem."""


def variables_path(export_dir) -> str:
    return os.path.join(os.fsdecode(export_dir), "variables", "variables")


def write_manifest(export_dir, manifest: dict) -> None:
    path = os.path.join(export_dir, MANIFEST)
    with open(path, "wb") as f:
        f.write(msgpack.packb(manifest, use_bin_type=True))
        f.flush()
        os.fsync(f.fileno())


def read_manifest(export_dir) -> dict:
    export_dir = os.fsdecode(export_dir)
    path = os.path.join(export_dir, MANIFEST)
    if not os.path.isfile(path):
        raise ExportError(f"{export_dir} is not a cannery export: {MANIFEST} is missing")
    try:
        with open(path, "rb") as f:
            manifest = msgpack.unpackb(f.read(), raw=False)
    except (ValueError, msgpack.UnpackException) as error:
        raise ExportError(f"{path} is damaged: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ExportError(f"{path} is not a cannery export manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ExportError(
            f"{path} has format version {version}, newer than this cannery reads "
            f"({FORMAT_VERSION}); upgrade cannery (it was written by cannery "
            f"{manifest.get('cannery_version')})")
    return manifest


@functools.lru_cache(maxsize=None)
def _asset_fields(type_name) -> tuple:
    """The fields of a feature column type that name a file it reads: those declared
    with ``attrs.field(metadata={"spec_asset": True})`` (a plugin's columns too)."""
    from cannery import registry

    try:
        cls = registry.get("feature_column", type_name)
    except (registry.UnknownComponentError, TypeError):
        return ()
    if not attrs.has(cls):
        return ()
    return tuple(f.name for f in attrs.fields(cls) if f.metadata.get("spec_asset"))


def _file_fields(value):
    """``(component dict, field)`` of every file a spec names (vocabulary files)."""
    from cannery.core.spec import TYPE_KEY

    if isinstance(value, list):
        for item in value:
            yield from _file_fields(item)
    elif isinstance(value, dict):
        type_name = value.get(TYPE_KEY)
        for field in _asset_fields(type_name) if isinstance(type_name, str) else ():
            if isinstance(value.get(field), str):
                yield value, field
        for item in value.values():
            yield from _file_fields(item)


def copy_assets(spec, export_dir) -> dict:
    """Copy the files ``spec`` names into ``<export_dir>/assets/``, as TensorFlow's
    SavedModel copies a vocabulary file, so the export serves without them.

    Returns:
        ``{path named in the spec: file name under assets/}`` for the manifest's
        ``assets`` (two files of one name get ``name_1``, ``name_2`` ...).

    Raises:
        ValueError: a named file does not exist (naming the column and the file).
    """
    assets: dict = {}
    for component, field in _file_fields(spec):
        source = component[field]
        if source in assets:
            continue
        if not os.path.isfile(source):
            raise ValueError(f"column {component.get('key')!r}: {field} {source} does not exist "
                             f"(an export copies it to {ASSETS_DIRECTORY}/)")
        base = os.path.basename(source) or "asset"
        name, suffix = base, 0
        while name in assets.values():
            suffix += 1
            name = f"{base}_{suffix}"
        os.makedirs(os.path.join(export_dir, ASSETS_DIRECTORY), exist_ok=True)
        shutil.copyfile(source, os.path.join(export_dir, ASSETS_DIRECTORY, name))
        assets[source] = name
    return assets


def resolve_assets(spec, export_dir, assets: dict):
    """A copy of ``spec`` whose file fields name the export's copies (see
    :func:`copy_assets`); files of exports written without ``assets`` stay as named."""
    if not assets:
        return spec
    import copy

    spec = copy.deepcopy(spec)
    for component, field in _file_fields(spec):
        name = assets.get(component[field])
        if name is not None:
            component[field] = os.path.join(os.fsdecode(export_dir), ASSETS_DIRECTORY, name)
    return spec


def revive(value, plugins=()):
    """Turn the plain data of a spec back into components (columns, heads, ...).

    Raises:
        ExportError: a component whose plugin is not installed, naming the plugin.
    """
    from cannery import registry
    from cannery.core import spec as spec_module

    if isinstance(value, list):
        return [revive(v, plugins) for v in value]
    if not isinstance(value, dict):
        return value
    if "unstorable" in value and len(value) == 1:
        raise ExportError(f"the model spec holds a value that could not be stored: "
                          f"{value['unstorable']}")
    if spec_module.TYPE_KEY not in value:
        return {k: revive(v, plugins) for k, v in value.items()}
    name = value[spec_module.TYPE_KEY]
    for kind in ("feature_column", "head", "optimizer", "schedule"):
        try:
            registry.get(kind, name)
        except registry.UnknownComponentError:
            continue
        return spec_module.from_dict(value, kind)
    provider = next((p for p in plugins if str(p.get("name", "")).lower() == str(name).lower()),
                    None)
    if provider is not None:
        raise ExportError(
            f"the model uses {provider.get('kind', 'component')} {name!r} from package "
            f"{provider.get('package')!r} {provider.get('version') or ''}, which is not "
            f"installed: pip install {provider.get('package')}".rstrip())
    raise ExportError(f"the model uses component {name!r}, which no installed plugin provides")
