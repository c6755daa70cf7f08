# -*- coding: utf-8 -*-
# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r"""
---
module: drift_merge
short_description: Merge the drift.json reports of several slices into one report
version_added: 0.1.0
description:
  - Action plugin, runs on the controller. Loads each input (size-capped, validated against
    C(schemas/drift_report.schema.json)), keeps for every host the entry of the newest input,
    and writes every report format to O(report_dir).
options:
  inputs:
    description: drift.json paths or glob patterns.
    type: list
    elements: str
    required: true
  report_dir:
    description: Output folder.
    type: path
    required: true
  formats:
    description: Report formats.
    type: list
    elements: str
    default: [json, md, html, junit, csv]
  run_id:
    description: Run id written into the merged report.
    type: str
  expected_slices:
    description:
      - The number of slices of the run (AWX C(job_slice_count)). When fewer distinct slices were merged, the
        merged report says so in C(run.missing_slices) (C(expected), C(found), C(missing), and C(numbers) when the
        slice reports recorded their number) and RV(missing_slices) is set.
    type: int
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: none
    details: Writes the merged report on the controller.
  diff_mode:
    support: none
  platform:
    platforms: posix
author:
  - taskguard contributors (@taskguard)
"""

EXAMPLES = r"""
- name: Merge the slices of AWX workflow job 4711
  taskguard.windows.drift_merge:
    inputs: ["{{ playbook_dir }}/../reports/4711/slice-*/drift.json"]
    report_dir: "{{ playbook_dir }}/../reports/4711/merged"
    run_id: "4711"
"""

RETURN = r"""
inputs:
  description: The files merged.
  returned: always
  type: list
paths:
  description: Written file per format.
  returned: always
  type: dict
summary:
  description: Fleet summary of the merged report.
  returned: always
  type: dict
missing_slices:
  description: C(run.missing_slices) of the merged report; null when every expected slice was merged or
    O(expected_slices) was not given.
  returned: always
  type: dict
slice_count_known:
  description: Whether O(expected_slices) was given. Without it a slice that never reported cannot be
    noticed; C(playbooks/merge_reports.yml) then fails unless C(taskguard_allow_missing_slices) is true.
  returned: always
  type: bool
slice_gaps:
  description: Without O(expected_slices), the slice numbers below the highest recorded one that no input came
    from (C(run.slice_gaps)); empty when every input recorded its number without a gap, or when one recorded none.
  returned: always
  type: list
  elements: int
unaudited_hosts:
  description: Hosts of the merged report that could not be audited (see M(taskguard.windows.drift_report)).
  returned: always
  type: list
  elements: str
"""
