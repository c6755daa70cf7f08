#!powershell

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -PowerShell ansible_collections.taskguard.windows.plugins.module_utils.TaskMaterial
#AnsibleRequires -PowerShell ansible_collections.taskguard.windows.plugins.module_utils.EventMaterial
#AnsibleRequires -PowerShell ansible_collections.taskguard.windows.plugins.module_utils.AdminMaterial

# One WinRM round trip for the drift audit: the raw task material and the raw
# event material, gathered by the same functions the task_info and task_events
# modules use. No parsing or decision here: the taskguard.windows.audit action
# plugin normalizes, compares and scores on the controller. A failure of one
# half is returned in 'errors' so the other half still reaches the report.

$spec = @{
    options = @{
        since = @{ type = 'dict'; default = @{} }
        max_events = @{ type = 'int'; default = 5000 }
        known_task_hashes = @{ type = 'dict'; default = @{} }
        max_content_bytes = @{ type = 'int'; default = 1048576 }
        admin_surface = @{ type = 'bool'; default = $false }
        compress = @{ type = 'bool'; default = $true }
        event_ids = @{
            type = 'list'
            elements = 'int'
            default = @(106, 140, 141, 142, 129, 200, 201, 1102, 4698, 4699, 4700, 4701, 4702)
        }
    }
    supports_check_mode = $true
}

Function ConvertTo-TgCompressedMaterial {
    <#
    .SYNOPSIS
    The material as one JSON object, deflated and base64-encoded: about 8x fewer
    bytes on the wire for a 250-task host (docs/performance.md). Serialized with
    the serializer ExitJson uses, so the controller (plugins/plugin_utils/wire.py)
    inflates exactly what the plain result would have held. DeflateStream writes
    raw deflate (RFC 1951); CompressionLevel needs .NET Framework 4.5, which
    PowerShell 5.1 (what Ansible requires on Windows) already requires.
    #>
    param([System.Collections.IDictionary]$Material)
    $json = [Ansible.Basic.AnsibleModule]::ToJson($Material)
    $raw = (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false).GetBytes($json)
    $buffer = New-Object -TypeName System.IO.MemoryStream
    $deflate = New-Object -TypeName System.IO.Compression.DeflateStream -ArgumentList @(
        $buffer, [System.IO.Compression.CompressionLevel]::Optimal, $true)
    try {
        $deflate.Write($raw, 0, $raw.Length)
    }
    finally {
        # Dispose writes the final block; the stream is complete only after it.
        $deflate.Dispose()
    }
    return @{
        encoding = 'deflate'
        raw_bytes = $raw.Length
        data = [System.Convert]::ToBase64String($buffer.ToArray())
    }
}

$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)
$maxContent = $module.Params.max_content_bytes
if ($maxContent -lt 0 -or $maxContent -gt 2097152) {
    $module.FailJson("max_content_bytes must be between 0 and 2097152, got $maxContent")
}
if ($module.Params.max_events -lt 1) {
    $module.FailJson('max_events must be a positive integer')
}

$module.Result.changed = $false
$errors = @{}

try {
    $module.Result.tasks = Get-TgTaskMaterial -MaxContentBytes $maxContent -KnownHashes $module.Params.known_task_hashes
}
catch {
    $module.Result.tasks = $null
    $errors.tasks = "$($_.Exception.GetType().FullName): $($_.Exception.Message)"
}

try {
    $module.Result.events = Get-TgTaskEventMaterial -EventId $module.Params.event_ids -Since $module.Params.since `
        -MaxEvents $module.Params.max_events
}
catch {
    $module.Result.events = $null
    $errors.events = "$($_.Exception.GetType().FullName): $($_.Exception.Message)"
}

if ($module.Params.admin_surface) {
    # Local Administrators SIDs, LAPS values/events, SYSVOL task preferences (DC): same round trip.
    try {
        $module.Result.admin_surface = Get-TgAdminSurfaceMaterial
    }
    catch {
        $module.Result.admin_surface = $null
        $errors.admin_surface = "$($_.Exception.GetType().FullName): $($_.Exception.Message)"
    }
}

$module.Result.errors = $errors
if ($module.Params.compress) {
    # tasks, events (and admin_surface) travel as one deflated 'material' value;
    # 'errors' stays plain so a failure is readable without decoding anything.
    $material = @{}
    foreach ($part in @('tasks', 'events', 'admin_surface')) {
        if ($module.Result.ContainsKey($part)) {
            $material[$part] = $module.Result[$part]
            # Remove returns a bool: voided so it does not reach the module's output
            [void]$module.Result.Remove($part)
        }
    }
    try {
        $module.Result.material = ConvertTo-TgCompressedMaterial -Material $material
    }
    catch {
        # Never lose the material to the compression: send it plain instead.
        foreach ($part in $material.Keys) {
            $module.Result[$part] = $material[$part]
        }
        $module.Warn("material sent uncompressed: $($_.Exception.GetType().FullName): $($_.Exception.Message)")
    }
}
$module.ExitJson()
