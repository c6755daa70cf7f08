# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host scoping facts (OS family, domain role) from live WMI values, a SOFTWARE hive,
a ``reg export`` of ``...\\Windows NT\\CurrentVersion``, or the task folder itself.

Everything is derived from numbers (build, ProductType, DomainRole) and from
``InstallationType``, never from the localized caption: the caption is only
passed through for humans. Windows 11 still says "Windows 10" in the registry's
``ProductName``, which is one more reason to go by build number.

``host['os_source']`` says where the version came from: ``live`` (WMI, same
round trip as the tasks), ``hive`` (SOFTWARE hive of the evidence),
``reg_export`` (a ``.reg`` file of the evidence), ``task_folder_inference``
(os_inference.py, with ``host['os_inference']`` giving confidence and markers),
or None when it stayed ``unknown`` (then every built-in baseline applies). The
audit sets ``hint`` when the operator named the version.

Offline precedence, fixed: the SOFTWARE hive (with the SYSTEM hive's product
type), then a ``reg export`` (the CurrentVersion values of a TaskCache.reg that
exports all of SOFTWARE, then ``CurrentVersion.reg``), then the task folder.
When the hive answered and a reg export in the same evidence names another
version or build, the hive is still used and ``host['os_conflict']`` plus a
``source: host`` error say so: two sources of one host disagreeing means the
evidence was mixed up (or tampered with), which a reader must see.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

from ansible_collections.taskguard.windows.plugins.plugin_utils.errors import clip_text

# Win32_ComputerSystem.DomainRole
DOMAIN_ROLES = {
    0: 'standalone_workstation',
    1: 'member_workstation',
    2: 'standalone_server',
    3: 'member_server',
    4: 'domain_controller',   # backup domain controller
    5: 'domain_controller',   # primary domain controller
}
# Win32_OperatingSystem.ProductType
PRODUCT_TYPES = {1: 'workstation', 2: 'domain_controller', 3: 'server'}
# Long-term servicing server releases by build; SAC builds in between are 'unknown'.
SERVER_BUILDS = {
    7601: 'windows_server_2008_r2', 9200: 'windows_server_2012', 9600: 'windows_server_2012_r2',
    14393: 'windows_server_2016', 17763: 'windows_server_2019', 20348: 'windows_server_2022',
    26100: 'windows_server_2025',
}
CLIENT_BUILDS = ((22000, 'windows_11'), (10240, 'windows_10'), (9600, 'windows_8.1'),
                 (9200, 'windows_8'), (7600, 'windows_7'))


def _int(value):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def os_family(build, product_type):
    """``windows_10``/``windows_11``/``windows_server_20xx``/... or ``unknown``.

    product_type: 'workstation'|'server'|'domain_controller'|None.
    """
    build = _int(build)
    if build is None or product_type is None:
        return 'unknown'
    if product_type in ('server', 'domain_controller'):
        return SERVER_BUILDS.get(build, 'unknown')
    for first, family in CLIENT_BUILDS:
        if build >= first:
            return family
    return 'unknown'


OS_SOURCES = ('live', 'hive', 'reg_export', 'task_folder_inference', 'hint')
# A .reg file of the CurrentVersion key an evidence collection may carry beside
# TaskCache.reg (``reg export "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion" CurrentVersion.reg``).
OS_REG_EXPORT_NAME = 'CurrentVersion.reg'
_CURRENT_VERSION_SUFFIX = '\\microsoft\\windows nt\\currentversion'


def empty_host(name=None):
    return {'name': name, 'os_caption': None, 'os_version': None, 'os_build': None, 'os_edition': None,
            'os_family': 'unknown', 'product_type': None, 'domain_role': 'unknown', 'os_source': None}


# Bounds of the text facts a live host sends: they are printed in every report and
# a host controls them. A DNS host name is at most 255 characters (RFC 1035; the
# NetBIOS name 15); Win32_OperatingSystem.Caption is a product name of about 60
# characters in any language, and .Version ("10.0.20348", three 32-bit numbers)
# at most 32. A longer text is cut (errors.clip_text) and the cut is said.
MAX_LIVE_TEXT = {'name': 255, 'os_caption': 256, 'os_version': 64}
# A number fact: BuildNumber has five digits today, ProductType and DomainRole one;
# a text of more digits is no such number.
MAX_LIVE_DIGITS = 9


def _live_error(errors, text):
    errors.append({'source': 'host', 'path': None, 'error': text})


def _live_text(raw, field, errors):
    """A text fact of the host, bounded; anything but a string is None (said)."""
    value = raw.get(field)
    if value is None or isinstance(value, str) and len(value) <= MAX_LIVE_TEXT[field]:
        return value
    if not isinstance(value, str):
        _live_error(errors, 'malformed host fact from the collector: %s is a %s, not text' % (field, type(value).__name__))
        return None
    _live_error(errors, 'host fact %s from the collector is longer than %d characters: cut'
                % (field, MAX_LIVE_TEXT[field]))
    return clip_text(value, MAX_LIVE_TEXT[field])


def _live_number(raw, field, errors):
    """A number fact of the host (an int, or its digits as WMI sends BuildNumber),
    or None; anything else is None (said), never str() of a host object."""
    value = raw.get(field)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10 ** MAX_LIVE_DIGITS:
        return value
    if isinstance(value, str) and len(value) <= MAX_LIVE_DIGITS + 8:
        digits = value.strip()
        if digits.isdigit() and digits.isascii() and len(digits) <= MAX_LIVE_DIGITS:
            return int(digits)
    _live_error(errors, 'malformed host fact from the collector: %s is not a number of at most %d digits (a %s)'
                % (field, MAX_LIVE_DIGITS, type(value).__name__))
    return None


def host_from_live(raw, errors=None):
    """From the collector's ``host`` section (WMI values, numbers as WMI gives them).

    Every fact is checked, as the host controls it: a text fact that is not text,
    or a number fact that is no number, is None; a text longer than its bound
    (MAX_LIVE_TEXT) is cut. Each is said in ``errors`` (a list, appended to:
    ``{"source": "host", "path": None, "error"}``), as is a section that is not a dict.
    """
    errors = [] if errors is None else errors
    host = empty_host()
    if not isinstance(raw, dict):
        if raw is not None:
            _live_error(errors, 'malformed host facts from the collector (a %s)' % type(raw).__name__)
        return host
    for field in ('name', 'os_caption', 'os_version'):
        host[field] = _live_text(raw, field, errors)
    build = _live_number(raw, 'os_build', errors)
    host['os_build'] = str(build) if build is not None else None
    host['product_type'] = PRODUCT_TYPES.get(_live_number(raw, 'product_type', errors))
    host['domain_role'] = DOMAIN_ROLES.get(_live_number(raw, 'domain_role', errors), 'unknown')
    host['os_family'] = os_family(build, host['product_type'])
    host['os_source'] = 'live' if host['os_family'] != 'unknown' else None
    return host


def host_from_current_version(values, name=None, source='hive'):
    """From ``SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion`` values (offline).

    ``InstallationType`` is Client/Server/Server Core/Nano Server. The domain role
    is not in the SOFTWARE hive, so it stays ``unknown`` (never guessed).
    """
    host = empty_host(name)
    if not values:
        return host
    product = values.get('productname')
    host['os_caption'] = product if isinstance(product, str) else None
    build = _int(values.get('currentbuildnumber') or values.get('currentbuild'))
    host['os_build'] = str(build) if build is not None else None
    major, minor = values.get('currentmajorversionnumber'), values.get('currentminorversionnumber')
    if isinstance(major, int) and isinstance(minor, int) and build is not None:
        host['os_version'] = '%d.%d.%d' % (major, minor, build)
    elif isinstance(values.get('currentversion'), str) and build is not None:
        host['os_version'] = '%s.%d' % (values['currentversion'], build)
    installation = values.get('installationtype')
    if isinstance(installation, str):
        host['product_type'] = 'workstation' if installation.strip().lower() == 'client' else 'server'
    edition = values.get('editionid')
    host['os_edition'] = edition if isinstance(edition, str) else None
    host['os_family'] = os_family(build, host['product_type'])
    host['os_source'] = source if host['os_family'] != 'unknown' else None
    return host


def current_version_from_reg_export(export):
    """CurrentVersion values ({lower-case name: data}) from a parsed ``reg_export.RegExport``.

    The key is found by its suffix, so exports of the key itself, of ``Windows NT``,
    of the whole SOFTWARE hive or of a hive loaded under another name all work.
    {} when the export does not contain it.
    """
    for low in export.order:
        if low.endswith(_CURRENT_VERSION_SUFFIX):
            return {name: value.data for name, value in export.keys[low].values.items()}
    return {}


def _reg_export_candidates(root, reg_values, find, read_reg):
    """([CurrentVersion values of each reg export, in precedence order], errors)."""
    errors = []
    candidates = [reg_values] if reg_values else []
    if find is not None and read_reg is not None:
        path = find(root, (OS_REG_EXPORT_NAME,))
        if path:
            try:
                candidates.append(current_version_from_reg_export(read_reg(path)))
            except Exception as exc:   # reported, never fatal: the folder is still audited
                errors.append({'source': 'host', 'path': path, 'error': 'version export unreadable: %s' % exc})
            else:
                if not candidates[-1]:
                    errors.append({'source': 'host', 'path': path,
                                   'error': 'version export has no ...\\Windows NT\\CurrentVersion key'})
    return candidates, errors


def _compare_with_reg_export(host, candidates):
    """(host, errors): the hive's answer kept; a reg export that disagrees is noted."""
    for values in candidates:
        if not values:
            continue
        other = host_from_current_version(values, name=host.get('name'), source='reg_export')
        if other['os_family'] == 'unknown' and other['os_build'] is None:
            continue
        if (other['os_family'], other['os_build']) == (host.get('os_family'), host.get('os_build')):
            continue
        text = ('version sources disagree: the SOFTWARE hive says %s (build %s), a reg export says %s (build %s); '
                'the hive is used' % (host.get('os_family'), host.get('os_build') or '?',
                                      other['os_family'], other['os_build'] or '?'))
        host = dict(host, os_conflict=text)
        return host, [{'source': 'host', 'path': None, 'error': text}]
    return host, []


def complete_offline_host(host, root, *, reg_values=None, task_paths=(), find=None, read_reg=None):
    """Offline version facts after the SOFTWARE hive: ``(host, errors)``.

    Order: the hive's answer (kept; a reg export that disagrees with it is
    noted in ``os_conflict`` and *errors*), ``reg_values`` (CurrentVersion values of a
    reg export the caller already read: TaskCache.reg may be an export of all of
    SOFTWARE), ``<root>/CurrentVersion.reg``, then the inference from the task
    folder's paths. ``find(root, names)`` and ``read_reg(path)`` are the caller's
    bounded, case-insensitive helpers (offline_tasks, reg_export).
    """
    candidates, errors = _reg_export_candidates(root, reg_values, find, read_reg)
    if host.get('os_family') not in (None, 'unknown'):
        host, conflict = _compare_with_reg_export(host, candidates)
        return host, errors + conflict
    for values in candidates:
        if values:
            found = host_from_current_version(values, name=host.get('name'), source='reg_export')
            if found['os_family'] != 'unknown':
                found['domain_role'] = host.get('domain_role') or 'unknown'
                if host.get('product_type') == 'domain_controller':   # the SYSTEM hive knows better
                    found = apply_system_product_type(found, 'domain_controller')
                    found['os_source'] = 'reg_export'
                return found, errors
    from ansible_collections.taskguard.windows.plugins.plugin_utils.os_inference import infer_os_family
    inference = infer_os_family(task_paths)
    host = dict(host)
    host['os_inference'] = inference
    client = inference.get('product_type') == 'client'
    if host.get('product_type') and inference['os_family'] != 'unknown' and \
            (host['product_type'] == 'workstation') != client:
        # the SYSTEM hive says server and the tasks say client (or the reverse): trust neither
        inference = dict(inference, os_family='unknown', confidence=None,
                         reason='tasks point to %s, but the SYSTEM hive says %s'
                                % (inference['os_family'], host['product_type']))
        host['os_inference'] = inference
    if inference['os_family'] != 'unknown' and host.get('os_build'):
        by_build = os_family(host['os_build'], 'workstation' if client else 'server')
        if by_build != inference['os_family']:
            # the hive had a build but no InstallationType: the build must agree
            inference = dict(inference, os_family='unknown', confidence=None,
                             reason='tasks point to %s, but build %s is %s'
                                    % (inference['os_family'], host['os_build'], by_build))
            host['os_inference'] = inference
    if inference['os_family'] != 'unknown' and inference['confidence'] == 'high':
        host['os_family'] = inference['os_family']
        host['os_source'] = 'task_folder_inference'
    return host, errors


def current_version_from_hive(hive):
    """Read CurrentVersion values from an opened SOFTWARE hive (regipy); {} when unavailable."""
    try:
        key = hive.get_key('\\Microsoft\\Windows NT\\CurrentVersion')
        return {v.name.lower(): v.value for v in key.iter_values(as_json=False, trim_values=False)}
    except Exception:  # the caller reports the hive problem once, via taskcache
        return {}


# SYSTEM hive ControlSet\Control\ProductOptions ProductType (documented values).
SYSTEM_PRODUCT_TYPES = {'winnt': 'workstation', 'servernt': 'server', 'lanmannt': 'domain_controller'}


def product_type_from_system_hive(hive):
    """'workstation'|'server'|'domain_controller' from an opened SYSTEM hive, or None.

    Uses the control set named by ``Select\\Current`` (ControlSet001 if absent).
    Only a domain controller can be told apart here: whether a member is joined
    to a domain is not recorded in the SYSTEM hive in a reliable way.
    """
    try:
        current = 1
        try:
            select = hive.get_key('\\Select')
            for value in select.iter_values(as_json=False, trim_values=False):
                if value.name.lower() == 'current' and isinstance(value.value, int) and 0 < value.value < 1000:
                    current = value.value
        except Exception:
            pass
        key = hive.get_key('\\ControlSet%03d\\Control\\ProductOptions' % current)
        for value in key.iter_values(as_json=False, trim_values=False):
            if value.name.lower() == 'producttype' and isinstance(value.value, str):
                return SYSTEM_PRODUCT_TYPES.get(value.value.strip().strip('\x00').lower())
    except Exception:
        return None
    return None


def apply_system_product_type(host, product_type):
    """Refine offline host facts with the SYSTEM hive's product type."""
    if product_type is None:
        return host
    host = dict(host)
    host['product_type'] = product_type
    if product_type == 'domain_controller':
        host['domain_role'] = 'domain_controller'
    host['os_family'] = os_family(host.get('os_build'), product_type)
    if host['os_family'] == 'unknown':
        host['os_source'] = None
    elif not host.get('os_source'):
        host['os_source'] = 'hive'
    return host
