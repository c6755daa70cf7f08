#!powershell

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Enables or disables existing (built-in) Windows Firewall rules selected by instance
# name (e.g. RemoteTask-In-TCP) or by group resource string (e.g. @FirewallAPI.dll,-28502),
# touching nothing but the Enabled flag. Why not community.windows.win_firewall_rule:
# it goes through the HNetCfg.FwPolicy2 COM API, where a rule's Name is the localized
# display name, and it treats a rule it does not find as one to create. The NetSecurity
# cmdlets used here expose the instance ID, which is the same in every language.

$spec = @{
    options = @{
        names = @{ type = 'list'; elements = 'str'; default = @() }
        groups = @{ type = 'list'; elements = 'str'; default = @() }
        direction = @{ type = 'str'; choices = @('inbound', 'outbound', 'any'); default = 'inbound' }
        enabled = @{ type = 'bool' }
    }
    required_one_of = @(, @('names', 'groups'))
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$names = @($module.Params.names)
$groups = @($module.Params.groups)
$direction = $module.Params.direction
$wantEnabled = $module.Params.enabled

if ($names.Count -eq 0 -and $groups.Count -eq 0) {
    $module.FailJson("names or groups must list at least one rule instance name or group resource string")
}

if (-not (Get-Command -Name Get-NetFirewallRule -ErrorAction SilentlyContinue)) {
    $module.FailJson("The NetSecurity PowerShell module (Get-NetFirewallRule) is not available on this host")
}

Function Find-RuleBySelector {
    # "Not found" is a CIM ObjectNotFound error; anything else (access denied, CIM or
    # WMI failure) means we could not look and is returned apart, never as missing.
    param ([string]$Kind, [string]$Selector, [hashtable]$Found, $Missing, $LookupErrors)
    $notFound = $null
    $query = @{ PolicyStore = 'ActiveStore'; ErrorAction = 'SilentlyContinue'; ErrorVariable = 'notFound' }
    $query[$Kind] = $Selector
    try {
        $rules = @(Get-NetFirewallRule @query)
        $failures = @($notFound | Where-Object { $null -ne $_ -and $_.CategoryInfo.Category -ne 'ObjectNotFound' })
        if ($failures.Count -gt 0) { throw $failures[0] }
    }
    catch {
        [void]$LookupErrors.Add(@{ kind = $Kind.ToLowerInvariant(); selector = $Selector; error = [string]$_.Exception.Message })
        return
    }
    if ($rules.Count -eq 0) { [void]$Missing.Add($Selector) }
    foreach ($r in $rules) { $Found["$($r.PolicyStoreSourceType)|$($r.Name)"] = $r }
}

Function Get-RuleState {
    # ActiveStore = the rules in effect, local and from Group Policy. The source tells
    # the controller which ones cannot be changed locally.
    $found = @{}
    $missingNames = [System.Collections.ArrayList]@()
    $missingGroups = [System.Collections.ArrayList]@()
    $lookupErrors = [System.Collections.ArrayList]@()
    foreach ($n in $names) { Find-RuleBySelector -Kind 'Name' -Selector $n -Found $found -Missing $missingNames -LookupErrors $lookupErrors }
    foreach ($g in $groups) { Find-RuleBySelector -Kind 'Group' -Selector $g -Found $found -Missing $missingGroups -LookupErrors $lookupErrors }
    $list = [System.Collections.ArrayList]@()
    foreach ($key in ($found.Keys | Sort-Object)) {
        $r = $found[$key]
        $dir = $r.Direction.ToString().ToLowerInvariant()
        if ($direction -ne 'any' -and $dir -ne $direction) { continue }
        # Enum names (True/False, Inbound, Local/GroupPolicy), never DisplayName/DisplayGroup.
        [void]$list.Add(@{
                name = $r.Name
                group = $r.Group
                direction = $dir
                enabled = ($r.Enabled.ToString() -eq 'True')
                profile = $r.Profile.ToString()
                action = $r.Action.ToString().ToLowerInvariant()
                source = $r.PolicyStoreSourceType.ToString()
            })
    }
    return @{
        rules = @($list)
        missing_names = @($missingNames)
        missing_groups = @($missingGroups)
        lookup_errors = @($lookupErrors)
    }
}

try {
    $before = Get-RuleState
}
catch {
    $module.FailJson("Failed to read firewall rules: $($_.Exception.Message)", $_)
}
$module.Result.before = $before
$module.Result.missing_names = $before.missing_names
$module.Result.missing_groups = $before.missing_groups
$module.Result.lookup_errors = $before.lookup_errors
$module.Diff.before = @{}
foreach ($r in $before.rules) { $module.Diff.before[$r.name] = @{ enabled = $r.enabled; source = $r.source } }

$toChange = [System.Collections.ArrayList]@()
$notChangeable = [System.Collections.ArrayList]@()
if ($null -ne $wantEnabled) {
    foreach ($r in $before.rules) {
        if ($r.enabled -eq $wantEnabled) { continue }
        # Only the local persistent store can be written here; a rule pushed by Group
        # Policy must be changed in the GPO. Reported, never silently skipped.
        if ($r.source -eq 'Local') { [void]$toChange.Add($r.name) }
        else { [void]$notChangeable.Add($r.name) }
    }
}
$module.Result.changed_rules = @($toChange)
$module.Result.not_changeable = @($notChangeable)

if ($toChange.Count -gt 0) {
    $module.Result.changed = $true
    if (-not $module.CheckMode) {
        try {
            if ($wantEnabled) {
                Enable-NetFirewallRule -PolicyStore PersistentStore -Name @($toChange) -ErrorAction Stop
            }
            else {
                Disable-NetFirewallRule -PolicyStore PersistentStore -Name @($toChange) -ErrorAction Stop
            }
        }
        catch {
            $module.FailJson("Failed to change firewall rules $($toChange -join ', '): $($_.Exception.Message)", $_)
        }
    }
}

if ($module.Result.changed -and -not $module.CheckMode) {
    $after = Get-RuleState
}
else {
    $after = @{
        rules = @(foreach ($r in $before.rules) {
                $copy = $r.Clone()
                if ($r.source -eq 'Local' -and $toChange -contains $r.name) { $copy.enabled = $wantEnabled }
                $copy
            })
        missing_names = $before.missing_names
        missing_groups = $before.missing_groups
        lookup_errors = $before.lookup_errors
    }
}
$module.Result.after = $after
$module.Diff.after = @{}
foreach ($r in $after.rules) { $module.Diff.after[$r.name] = @{ enabled = $r.enabled; source = $r.source } }
$module.ExitJson()
