# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Host scoping facts (OS family, domain role) from live WMI values or a SOFTWARE hive.

Everything is derived from numbers (build, ProductType, DomainRole) and from
``InstallationType``, never from the localized caption: the caption is only
passed through for humans. Windows 11 still says "Windows 10" in the registry's
``ProductName``, which is one more reason to go by build number.
"""
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

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


def empty_host(name=None):
    return {'name': name, 'os_caption': None, 'os_version': None, 'os_build': None,
            'os_family': 'unknown', 'product_type': None, 'domain_role': 'unknown'}


def host_from_live(raw):
    """From the collector's ``host`` section (WMI values, numbers as WMI gives them)."""
    host = empty_host()
    if not isinstance(raw, dict):
        return host
    host['name'] = raw.get('name') if isinstance(raw.get('name'), str) else None
    host['os_caption'] = raw.get('os_caption') if isinstance(raw.get('os_caption'), str) else None
    host['os_version'] = raw.get('os_version') if isinstance(raw.get('os_version'), str) else None
    build = _int(raw.get('os_build'))
    host['os_build'] = str(build) if build is not None else None
    host['product_type'] = PRODUCT_TYPES.get(_int(raw.get('product_type')))
    host['domain_role'] = DOMAIN_ROLES.get(_int(raw.get('domain_role')), 'unknown')
    host['os_family'] = os_family(build, host['product_type'])
    return host


def host_from_current_version(values, name=None):
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
    host['os_family'] = os_family(build, host['product_type'])
    return host


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
    return host
