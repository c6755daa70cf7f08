#!powershell

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ..module_utils.TaskMaterial

# Thin on purpose: gathers raw material only. The action plugin of the same name
# parses and normalizes it on the controller (plugins/action/task_info.py).

$spec = @{
    options = @{
        max_content_bytes = @{ type = 'int'; default = 1048576 }
    }
    supports_check_mode = $true
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$maxContent = $module.Params.max_content_bytes
if ($maxContent -lt 0 -or $maxContent -gt 2097152) {
    $module.FailJson("max_content_bytes must be between 0 and 2097152, got $maxContent")
}

$module.Result.changed = $false
$module.Result.material = Get-TgTaskMaterial -MaxContentBytes $maxContent

$module.ExitJson()
