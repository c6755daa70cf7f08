#!powershell

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.taskguard.windows.plugins.module_utils.EventMaterial

# Thin collector: returns raw material only. The action plugin of the same name
# normalizes it (plugins/plugin_utils/event_collection.py) and computes coverage
# and the bookmark; offline_root is handled there and never reaches the host.

$spec = @{
    options = @{
        event_ids = @{
            type = 'list'
            elements = 'int'
            default = @(106, 140, 141, 142, 129, 200, 201, 1102, 4698, 4699, 4700, 4701, 4702)
        }
        since = @{ type = 'dict' }
        max_events = @{ type = 'int'; default = 5000 }
        offline_root = @{ type = 'path' }
        state_dir = @{ type = 'path' }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

if ($null -ne $module.Params.offline_root) {
    $module.FailJson('offline_root is handled on the controller by the task_events action plugin; do not run the module directly')
}
if ($module.Params.max_events -lt 1) {
    $module.FailJson('max_events must be a positive integer')
}

$module.Result.changed = $false
$module.Result.material = Get-TgTaskEventMaterial -EventId $module.Params.event_ids -Since $module.Params.since `
    -MaxEvents $module.Params.max_events

$module.ExitJson()
