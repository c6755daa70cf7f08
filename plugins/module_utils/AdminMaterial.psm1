# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Gathers raw admin-surface material on a Windows host: the SIDs in the local
# Administrators group, the LAPS registry values and events, and (on a domain
# controller) the raw ScheduledTasks.xml / GPT.INI bytes of the local SYSVOL.
# No interpretation here: plugins/plugin_utils/{local_admins,laps,gpo_tasks}.py
# parse and judge on the controller. The shape is pinned by
# tests/unit/fixtures/admin_surface/live_*.json. Every failure is returned as
# data (error strings), never swallowed.
#
# Language independence: the Administrators group is found by its SID
# S-1-5-32-544 and its members are returned as SIDs; names are only a bonus
# (Entra ID S-1-12-1-... and orphaned SIDs do not resolve, which is why the
# Net API is used rather than Get-LocalGroupMember, which throws on them).

Set-StrictMode -Version 2.0

$script:AdminsSid = 'S-1-5-32-544'
$script:MaxMembers = 5000
$script:MaxGpoFolders = 5000
$script:MaxXmlBytes = 4194304
$script:MaxIniBytes = 65536
$script:MaxLapsEvents = 20

$script:NetApiSource = @'
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;

namespace TaskGuard
{
    public static class LocalGroupMembers
    {
        [DllImport("netapi32.dll", CharSet = CharSet.Unicode)]
        private static extern int NetLocalGroupGetMembers(string server, string group, int level,
            out IntPtr buffer, int maxLength, out int read, out int total, IntPtr resume);

        [DllImport("netapi32.dll")]
        private static extern int NetApiBufferFree(IntPtr buffer);

        // Level 0: LOCALGROUP_MEMBERS_INFO_0 is one PSID per member. Level 0 never
        // resolves names, so unresolvable (orphaned, Entra ID) members do not fail it.
        public static string[] GetSids(string group)
        {
            IntPtr buffer;
            int read, total;
            int rc = NetLocalGroupGetMembers(null, group, 0, out buffer, -1, out read, out total, IntPtr.Zero);
            if (rc != 0)
            {
                throw new System.ComponentModel.Win32Exception(rc);
            }
            List<string> sids = new List<string>();
            try
            {
                for (int i = 0; i < read; i++)
                {
                    IntPtr psid = Marshal.ReadIntPtr(buffer, i * IntPtr.Size);
                    sids.Add(new System.Security.Principal.SecurityIdentifier(psid).Value);
                }
            }
            finally
            {
                NetApiBufferFree(buffer);
            }
            return sids.ToArray();
        }
    }
}
'@

Function Get-TgErrorMessage {
    param($ErrorRecord)
    $ex = $ErrorRecord.Exception
    while ($null -ne $ex.InnerException) {
        $ex = $ex.InnerException
    }
    return "$($ex.GetType().FullName): $($ex.Message)"
}

Function Get-TgSidName {
    # Name of a SID when it resolves, else $null (orphaned, Entra ID, domain unreachable).
    param([string]$Sid)
    try {
        $id = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $Sid
        return $id.Translate([System.Security.Principal.NTAccount]).Value
    }
    catch {
        return $null
    }
}

Function Get-TgAdministratorsMaterial {
    $result = @{
        method = $null
        group_sid = $script:AdminsSid
        is_domain_controller = $false
        machine_sid = $null
        builtin_administrator = $null
        members = @()
        error = $null
        errors = @()
    }
    try {
        $cs = Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop
        $result.is_domain_controller = ($cs.DomainRole -ge 4)
    }
    catch {
        $result.errors += "domain role: $(Get-TgErrorMessage $_)"
    }
    if (-not $result.is_domain_controller) {
        try {
            # The built-in Administrator is RID 500 of the machine's account domain; its
            # SID also gives the machine SID (local accounts only, so not on a DC).
            $admin = Get-CimInstance -ClassName Win32_UserAccount -Filter "LocalAccount=True AND SID LIKE 'S-1-5-21-%-500'" -ErrorAction Stop |
                Select-Object -First 1
            if ($null -ne $admin) {
                $result.machine_sid = $admin.SID.Substring(0, $admin.SID.LastIndexOf('-'))
                $result.builtin_administrator = @{ sid = $admin.SID; enabled = (-not $admin.Disabled) }
            }
        }
        catch {
            $result.errors += "built-in Administrator: $(Get-TgErrorMessage $_)"
        }
    }
    # The group's own name is localized; it is only used to call the APIs, found through its SID.
    $groupName = Get-TgSidName -Sid $script:AdminsSid
    if ($null -eq $groupName) {
        $result.error = "cannot resolve $($script:AdminsSid) to the local group name"
        return $result
    }
    $groupName = $groupName.Substring($groupName.IndexOf('\') + 1)
    $sids = $null
    try {
        if (-not ('TaskGuard.LocalGroupMembers' -as [type])) {
            Add-Type -TypeDefinition $script:NetApiSource -ErrorAction Stop
        }
        $sids = [TaskGuard.LocalGroupMembers]::GetSids($groupName)
        $result.method = 'net_api'
    }
    catch {
        $result.errors += "net_api: $(Get-TgErrorMessage $_)"
    }
    if ($null -eq $sids) {
        try {
            # Fallback when Add-Type is not allowed: the WinNT ADSI provider, objectSid bytes only.
            $group = [ADSI]"WinNT://./$groupName,group"
            $sids = @()
            foreach ($member in @($group.psbase.Invoke('Members'))) {
                $bytes = $member.GetType().InvokeMember('objectSid', 'GetProperty', $null, $member, $null)
                $sids += (New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList @([byte[]]$bytes, 0)).Value
            }
            $result.method = 'winnt_adsi'
        }
        catch {
            $result.error = "members of $($script:AdminsSid) could not be read: $(Get-TgErrorMessage $_)"
            return $result
        }
    }
    $members = @()
    foreach ($sid in @($sids | Select-Object -First $script:MaxMembers)) {
        $name = Get-TgSidName -Sid $sid
        $members += @{ sid = $sid; name = $name; class = $null; resolved = ($null -ne $name) }
    }
    if (@($sids).Count -gt $script:MaxMembers) {
        $result.errors += "more than $($script:MaxMembers) members: the rest was not returned"
    }
    $result.members = $members
    return $result
}

Function Get-TgRegistryValues {
    # Every value of one HKLM key as name -> value (REG_BINARY as base64), or $null when the key is absent.
    param([string]$SubKey)
    $key = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($SubKey)
    if ($null -eq $key) {
        return $null
    }
    try {
        $values = @{}
        foreach ($name in $key.GetValueNames()) {
            $value = $key.GetValue($name, $null, 'DoNotExpandEnvironmentNames')
            if ($value -is [byte[]]) {
                $value = [Convert]::ToBase64String($value)
            }
            $values[$name] = $value
        }
        return $values
    }
    finally {
        $key.Close()
    }
}

Function Get-TgLapsMaterial {
    $result = @{ keys = @{}; events = @(); events_error = $null; errors = @() }
    $keys = @(
        'SOFTWARE\Microsoft\Policies\LAPS',
        'SOFTWARE\Microsoft\Windows\CurrentVersion\Policies\LAPS',
        'SOFTWARE\Microsoft\Windows\CurrentVersion\LAPS\Config',
        'SOFTWARE\Policies\Microsoft Services\AdmPwd',
        'SOFTWARE\Microsoft\Windows NT\CurrentVersion\Winlogon\GPExtensions\{D76B9641-3288-4f75-942D-087DE603E3EA}'
    )
    foreach ($subKey in $keys) {
        try {
            $result.keys[$subKey] = Get-TgRegistryValues -SubKey $subKey
        }
        catch {
            $result.errors += "$($subKey): $(Get-TgErrorMessage $_)"
        }
    }
    try {
        $xpath = '*[System[(EventID=10004 or EventID=10005)]]'
        $events = Get-WinEvent -LogName 'Microsoft-Windows-LAPS/Operational' -FilterXPath $xpath `
            -MaxEvents $script:MaxLapsEvents -ErrorAction Stop
        $result.events = @($events | ForEach-Object { $_.ToXml() })
    }
    catch {
        # "No events were found" is an answer, not a failure: the controller tells them apart by the exception type.
        $result.events_error = Get-TgErrorMessage $_
    }
    return $result
}

Function Get-TgFileBase64 {
    param([string]$Path, [int]$MaxBytes)
    $info = Get-Item -LiteralPath $Path -Force -ErrorAction Stop
    if ($info.Length -gt $MaxBytes) {
        throw "file of $($info.Length) bytes exceeds the limit of $MaxBytes"
    }
    return [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($Path))
}

Function Get-TgSysvolMaterial {
    $result = @{ found = $false; root = $null; gpo_folders = 0; gpos = @(); errors = @() }
    try {
        $params = Get-TgRegistryValues -SubKey 'SYSTEM\CurrentControlSet\Services\Netlogon\Parameters'
        $sysvol = $null
        if ($null -ne $params -and $params.ContainsKey('SysVol')) {
            $sysvol = [Environment]::ExpandEnvironmentVariables([string]$params['SysVol'])
        }
        if (-not $sysvol -or -not (Test-Path -LiteralPath $sysvol)) {
            $result.errors += 'no SYSVOL share path in Netlogon\Parameters (not a domain controller?)'
            return $result
        }
        $policies = @(Get-ChildItem -LiteralPath $sysvol -Directory -ErrorAction Stop |
            ForEach-Object { Join-Path -Path $_.FullName -ChildPath 'Policies' } |
            Where-Object { Test-Path -LiteralPath $_ })
        if ($policies.Count -eq 0) {
            $result.errors += "no Policies folder under $sysvol"
            return $result
        }
        $result.found = $true
        $result.root = $policies[0]
        $folders = @(Get-ChildItem -LiteralPath $policies[0] -Directory -ErrorAction Stop |
            Where-Object { $_.Name -match '^\{[0-9A-Fa-f-]{36}\}$' })
        $result.gpo_folders = $folders.Count
        foreach ($folder in @($folders | Select-Object -First $script:MaxGpoFolders)) {
            $gpo = @{ guid = $folder.Name; gpt_ini_b64 = $null; files = @() }
            $ini = Join-Path -Path $folder.FullName -ChildPath 'GPT.INI'
            if (Test-Path -LiteralPath $ini) {
                try {
                    $gpo.gpt_ini_b64 = Get-TgFileBase64 -Path $ini -MaxBytes $script:MaxIniBytes
                }
                catch {
                    $result.errors += "$($ini): $(Get-TgErrorMessage $_)"
                }
            }
            foreach ($scope in @('Machine', 'User')) {
                $xml = Join-Path -Path $folder.FullName -ChildPath "$scope\Preferences\ScheduledTasks\ScheduledTasks.xml"
                if (-not (Test-Path -LiteralPath $xml)) {
                    continue
                }
                $file = @{ scope = $scope.ToLowerInvariant(); path = $xml; content_b64 = $null; error = $null }
                try {
                    $file.content_b64 = Get-TgFileBase64 -Path $xml -MaxBytes $script:MaxXmlBytes
                }
                catch {
                    $file.error = Get-TgErrorMessage $_
                }
                $gpo.files += $file
            }
            $result.gpos += $gpo
        }
    }
    catch {
        $result.errors += Get-TgErrorMessage $_
    }
    return $result
}

Function Get-TgAdminSurfaceMaterial {
    # One call for the collect module; each part fails on its own.
    $result = @{ administrators = $null; laps = $null; sysvol = $null; error = $null }
    try {
        $result.administrators = Get-TgAdministratorsMaterial
    }
    catch {
        $result.administrators = @{ group_sid = $script:AdminsSid; members = @(); error = Get-TgErrorMessage $_ }
    }
    try {
        $result.laps = Get-TgLapsMaterial
    }
    catch {
        $result.laps = @{ keys = @{}; events = @(); events_error = $null; errors = @(Get-TgErrorMessage $_) }
    }
    if ($result.administrators.is_domain_controller) {
        try {
            $result.sysvol = Get-TgSysvolMaterial
        }
        catch {
            $result.sysvol = @{ found = $false; root = $null; gpo_folders = 0; gpos = @(); errors = @(Get-TgErrorMessage $_) }
        }
    }
    return $result
}

Export-ModuleMember -Function 'Get-TgAdminSurfaceMaterial', 'Get-TgAdministratorsMaterial', 'Get-TgLapsMaterial', 'Get-TgSysvolMaterial'
