#!powershell

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Reads and, when asked, sets the configuration of one event log channel through
# System.Diagnostics.Eventing.Reader.EventLogConfiguration. This exists because
# ansible.windows.win_eventlog only handles classic logs (Limit-EventLog) and cannot
# enable or size Microsoft-Windows-TaskScheduler/Operational. The module only reads
# and writes state; the controller (role logic) decides the wanted values.

$spec = @{
    options = @{
        name = @{ type = 'str'; required = $true }
        enabled = @{ type = 'bool' }
        # Not 'int': Ansible.Basic parses that as Int32, and a Security log of 2 GiB or
        # more (common on domain controllers) would fail argument parsing. 'raw' and an
        # explicit Int64 parse below (the type validate-modules reports for a delegate).
        maximum_size_bytes = @{ type = 'raw' }
        log_mode = @{ type = 'str'; choices = @('circular', 'auto_backup', 'retain') }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$name = $module.Params.name
$wantEnabled = $module.Params.enabled
$wantSize = $null
if ($null -ne $module.Params.maximum_size_bytes) {
    $parsedSize = [Int64]0
    if (-not [Int64]::TryParse([string]$module.Params.maximum_size_bytes, [System.Globalization.NumberStyles]::None,
            [System.Globalization.CultureInfo]::InvariantCulture, [ref]$parsedSize)) {
        $module.FailJson("maximum_size_bytes must be a whole number of bytes, got '$($module.Params.maximum_size_bytes)'")
    }
    $wantSize = $parsedSize
}
$wantMode = $module.Params.log_mode

# 1 MiB is the documented minimum (wevtutil sl /ms). Rounding to the 64 KiB unit the
# service uses is done by the controller, not here, so an existing larger size that is
# not a multiple (the 1028 KiB default is one) can be passed back unchanged.
if ($null -ne $wantSize -and $wantSize -lt 1048576) {
    $module.FailJson("maximum_size_bytes must be at least 1048576, got $wantSize")
}

$modeNames = @{
    'Circular' = 'circular'
    'AutoBackup' = 'auto_backup'
    'Retain' = 'retain'
}
$modeValues = @{
    'circular' = [System.Diagnostics.Eventing.Reader.EventLogMode]::Circular
    'auto_backup' = [System.Diagnostics.Eventing.Reader.EventLogMode]::AutoBackup
    'retain' = [System.Diagnostics.Eventing.Reader.EventLogMode]::Retain
}

Function Get-ChannelState {
    param ($Config)
    # Enum names (not localized) are returned; the display name of the channel is not read.
    return @{
        enabled = [bool]$Config.IsEnabled
        maximum_size_bytes = [int64]$Config.MaximumSizeInBytes
        log_mode = $modeNames[$Config.LogMode.ToString()]
        log_type = $Config.LogType.ToString()
        is_classic_log = [bool]$Config.IsClassicLog
        log_file_path = $Config.LogFilePath
    }
}

$module.Result.name = $name
$module.Result.exists = $false
$module.Result.before = $null
$module.Result.after = $null
$module.Result.changes = @()

Function Open-ChannelConfig {
    # Returns $null when the channel does not exist. .NET exceptions reach PowerShell
    # wrapped (MethodInvocationException), so the inner chain is searched.
    param ([string]$Name)
    try {
        return [System.Diagnostics.Eventing.Reader.EventLogConfiguration]::new($Name)
    }
    catch {
        $ex = $_.Exception
        while ($null -ne $ex) {
            if ($ex -is [System.Diagnostics.Eventing.Reader.EventLogNotFoundException]) { return $null }
            $ex = $ex.InnerException
        }
        throw
    }
}

try {
    $config = Open-ChannelConfig -Name $name
}
catch {
    $module.FailJson("Failed to open the configuration of event log channel '$name': $($_.Exception.Message)", $_)
}
if ($null -eq $config) {
    # Reported, not hidden: the controller turns a missing channel into not_compliant.
    if ($null -ne $wantEnabled -or $null -ne $wantSize -or $null -ne $wantMode) {
        $module.FailJson("Event log channel '$name' does not exist on this host")
    }
    $module.ExitJson()
}

$module.Result.exists = $true
$before = Get-ChannelState -Config $config
$module.Result.before = $before
$module.Diff.before = $before

$changes = [System.Collections.ArrayList]@()
if ($null -ne $wantEnabled -and $before.enabled -ne $wantEnabled) {
    $config.IsEnabled = $wantEnabled
    [void]$changes.Add('enabled')
}
if ($null -ne $wantSize -and $before.maximum_size_bytes -ne $wantSize) {
    $config.MaximumSizeInBytes = [int64]$wantSize
    [void]$changes.Add('maximum_size_bytes')
}
if ($null -ne $wantMode -and $before.log_mode -ne $wantMode) {
    $config.LogMode = $modeValues[$wantMode]
    [void]$changes.Add('log_mode')
}
$module.Result.changes = @($changes)

if ($changes.Count -gt 0) {
    $module.Result.changed = $true
    if ($module.CheckMode) {
        $after = $before.Clone()
        if ($changes -contains 'enabled') { $after.enabled = $wantEnabled }
        if ($changes -contains 'maximum_size_bytes') { $after.maximum_size_bytes = [int64]$wantSize }
        if ($changes -contains 'log_mode') { $after.log_mode = $wantMode }
    }
    else {
        try {
            $config.SaveChanges()
        }
        catch {
            $module.FailJson("Failed to save the configuration of event log channel '$name': $($_.Exception.Message)", $_)
        }
        # Read back what the service actually stored rather than echoing the request.
        $config.Dispose()
        $config = Open-ChannelConfig -Name $name
        $after = Get-ChannelState -Config $config
    }
}
else {
    $after = $before
}
$config.Dispose()

$module.Result.after = $after
$module.Diff.after = $after
$module.ExitJson()
