# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An action's argument spec, built from its module's DOCUMENTATION.

Each action plugin of the collection has a doc module (``plugins/modules/<name>.py``)
whose ``DOCUMENTATION`` is what ``ansible-doc`` shows and ``validate-modules``
checks. A second, hand-written spec in the action drifts from it; so, as
ansible.utils' ``validate`` action does with its own DOCUMENTATION, the action
derives its spec from the docs::

    from ansible_collections.taskguard.windows.plugins.modules.drift_merge import DOCUMENTATION
    _ARGS = argspec.from_documentation(DOCUMENTATION)

and passes it to ``ActionBase.validate_argument_spec``. What the docs say about an
option that Ansible's validator reads (type, elements, default, choices,
required, aliases, no_log, suboptions as ``options``) is kept as written; prose
(description, version_added) is dropped. Options from a documentation fragment
are not resolved here: a DOCUMENTATION that extends one with options is refused.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import copy

import yaml

# What ArgumentSpecValidator reads of an option (ansible.utils keeps the same set).
OPTION_KEYS = ("type", "elements", "default", "choices", "required", "aliases", "no_log", "apply_defaults",
               "deprecated_aliases", "removed_in_version", "removed_at_date", "removed_from_collection")
# libyaml when PyYAML has it: an action is imported once per run (the strategy
# loads the class before forking workers), and the C loader reads a page of
# docs in well under a millisecond.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def from_documentation(documentation):
    """The ``argument_spec`` (a new dict) the ``options`` of a DOCUMENTATION string declare.

    Raises ValueError when the text is not a mapping, when an option is not a
    mapping or declares no ``type``, or when it extends a documentation fragment
    that declares options (those would be missing from the spec)."""
    doc = yaml.load(documentation, Loader=_LOADER)  # noqa: S506 - a SafeLoader; the text is our own docs
    if not isinstance(doc, dict):
        raise ValueError("DOCUMENTATION is not a YAML mapping")
    fragments = doc.get("extends_documentation_fragment") or []
    if isinstance(fragments, str):
        fragments = [fragments]
    for fragment in fragments:
        # attribute fragments (ansible.builtin.action_common_attributes, ours in
        # doc_fragments/attributes.py) declare attributes, never options
        if "attributes" not in str(fragment):
            raise ValueError("DOCUMENTATION extends %r, whose options this helper cannot read" % fragment)
    return _options(doc.get("options") or {}, "options")


def _options(options, where):
    if not isinstance(options, dict):
        raise ValueError("%s must be a mapping of option names" % where)
    spec = {}
    for name, option in options.items():
        if not isinstance(option, dict) or "type" not in option:
            raise ValueError("%s.%s must be a mapping with a type" % (where, name))
        entry = {key: copy.deepcopy(option[key]) for key in OPTION_KEYS if key in option}
        if "suboptions" in option:
            entry["options"] = _options(option["suboptions"], "%s.%s.suboptions" % (where, name))
        spec[name] = entry
    return spec
