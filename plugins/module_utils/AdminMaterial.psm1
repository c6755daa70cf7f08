# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Gathers raw admin-surface material on a Windows host: the SIDs in the local
# Administrators group, the SIDs holding "Log on as a batch job" (and its deny
# right), the LAPS registry values and events, and (where a SYSVOL share is
# configured, i.e. on a domain controller) the raw ScheduledTasks.xml / GPT.INI
# bytes of the local SYSVOL. No interpretation here:
# plugins/plugin_utils/{local_admins,user_rights,laps,gpo_tasks}.py parse and
# judge on the controller (the domain role from the raw DomainRole number, the
# machine SID from the raw RID-500 SID, orphaned vs unresolved from the raw
# lookup error type). The shape is pinned by
# tests/unit/fixtures/admin_surface/live_*.json. Every failure is returned as
# data (error strings), never swallowed.
#
# Language independence: the Administrators group is found by its SID
# S-1-5-32-544 and its members are returned as SIDs; names are only a bonus
# (Entra ID S-1-12-1-... and orphaned SIDs do not resolve, which is why the
# Net API is used rather than Get-LocalGroupMember, which throws on them).
#
# User rights: LsaEnumerateAccountsWithUserRight on a policy handle opened with
# POLICY_LOOKUP_NAMES | POLICY_VIEW_LOCAL_INFORMATION only (read access, the
# least the API documents), returning raw SIDs. Chosen over
# 'secedit /export /areas USER_RIGHTS': secedit writes a temporary file, needs
# the same administrator token, and writes resolvable accounts by their
# (localized) names instead of SIDs. The same API is what ansible.windows
# win_user_right uses to read rights; that module changes rights, so it is not
# called here.

Set-StrictMode -Version 2.0

$script:AdminsSid = 'S-1-5-32-544'
$script:MaxMembers = 5000
$script:MaxGpoFolders = 5000
$script:MaxXmlBytes = 4194304
$script:MaxIniBytes = 65536
$script:MaxLapsEvents = 20
$script:MaxRightHolders = 5000
$script:BatchRights = @('SeBatchLogonRight', 'SeDenyBatchLogonRight')

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

    public static class AccountRights
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct LsaObjectAttributes
        {
            public int Length;
            public IntPtr RootDirectory;
            public IntPtr ObjectName;
            public uint Attributes;
            public IntPtr SecurityDescriptor;
            public IntPtr SecurityQualityOfService;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct LsaUnicodeString
        {
            public ushort Length;
            public ushort MaximumLength;
            [MarshalAs(UnmanagedType.LPWStr)] public string Buffer;
        }

        [DllImport("advapi32.dll")]
        private static extern uint LsaOpenPolicy(IntPtr system, ref LsaObjectAttributes attributes, uint access,
            out IntPtr policy);

        [DllImport("advapi32.dll")]
        private static extern uint LsaEnumerateAccountsWithUserRight(IntPtr policy, ref LsaUnicodeString right,
            out IntPtr buffer, out uint count);

        [DllImport("advapi32.dll")]
        private static extern int LsaNtStatusToWinError(uint status);

        [DllImport("advapi32.dll")]
        private static extern uint LsaFreeMemory(IntPtr buffer);

        [DllImport("advapi32.dll")]
        private static extern uint LsaClose(IntPtr policy);

        // Read-only access: POLICY_VIEW_LOCAL_INFORMATION (0x1) | POLICY_LOOKUP_NAMES (0x800).
        private const uint PolicyReadAccess = 0x00000801;
        // "No account holds the right": an answer, not a failure ([MS-LSAD] 3.1.4.5.9).
        private const uint StatusNoMoreEntries = 0x8000001A;

        // SIDs holding one right directly (LSA_ENUMERATION_INFORMATION is one PSID per entry).
        public static string[] GetSids(string right)
        {
            LsaObjectAttributes attributes = new LsaObjectAttributes();
            attributes.Length = Marshal.SizeOf(typeof(LsaObjectAttributes));
            IntPtr policy;
            uint status = LsaOpenPolicy(IntPtr.Zero, ref attributes, PolicyReadAccess, out policy);
            if (status != 0)
            {
                throw new System.ComponentModel.Win32Exception(LsaNtStatusToWinError(status));
            }
            try
            {
                LsaUnicodeString name = new LsaUnicodeString();
                name.Buffer = right;
                name.Length = (ushort)(right.Length * 2);
                name.MaximumLength = (ushort)(name.Length + 2);
                IntPtr buffer;
                uint count;
                status = LsaEnumerateAccountsWithUserRight(policy, ref name, out buffer, out count);
                if (status == StatusNoMoreEntries)
                {
                    return new string[0];
                }
                if (status != 0)
                {
                    throw new System.ComponentModel.Win32Exception(LsaNtStatusToWinError(status));
                }
                List<string> sids = new List<string>();
                try
                {
                    for (int i = 0; i < count; i++)
                    {
                        IntPtr psid = Marshal.ReadIntPtr(buffer, i * IntPtr.Size);
                        sids.Add(new System.Security.Principal.SecurityIdentifier(psid).Value);
                    }
                }
                finally
                {
                    LsaFreeMemory(buffer);
                }
                return sids.ToArray();
            }
            finally
            {
                LsaClose(policy);
            }
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
    # @{ sid; name; lookup_error } for one SID. When it does not resolve, the raw
    # error's type and HResult are returned: IdentityNotMappedException ("not
    # mapped") and a domain that could not be asked are told apart in Python.
    param([string]$Sid)
    $entry = @{ sid = $Sid; name = $null; lookup_error = $null }
    try {
        $id = New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList $Sid
        $entry.name = $id.Translate([System.Security.Principal.NTAccount]).Value
    }
    catch {
        $ex = $_.Exception
        while ($null -ne $ex.InnerException) {
            $ex = $ex.InnerException
        }
        $entry.lookup_error = @{ type = $ex.GetType().FullName; hresult = $ex.HResult; message = $ex.Message }
    }
    return $entry
}

Function Get-TgSidArrayName {
    # Get-TgSidName for at most $Max SIDs; .truncated says whether more were given.
    param([string[]]$Sids, [int]$Max)
    $entries = @()
    foreach ($sid in @($Sids | Select-Object -First $Max)) {
        $entries += Get-TgSidName -Sid $sid
    }
    return @{ entries = $entries; truncated = (@($Sids).Count -gt $Max) }
}

Function Get-TgAdministratorsMaterial {
    $result = @{
        method = $null
        group_sid = $script:AdminsSid
        domain_role = $null
        builtin_administrator = $null
        members = @()
        truncated = $false
        dc_locator = $null
        error = $null
        errors = @()
    }
    try {
        $result.domain_role = [int](Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop).DomainRole
    }
    catch {
        $result.errors += "domain role: $(Get-TgErrorMessage $_)"
    }
    # Gathering decision only (the role is judged in Python): a domain controller has
    # no local accounts, and Win32_UserAccount there would enumerate the domain.
    if ($null -eq $result.domain_role -or $result.domain_role -lt 4) {
        try {
            # The built-in Administrator is RID 500 of the machine's account domain, raw.
            $admin = Get-CimInstance -ClassName Win32_UserAccount -Filter "LocalAccount=True AND SID LIKE 'S-1-5-21-%-500'" -ErrorAction Stop |
                Select-Object -First 1
            if ($null -ne $admin) {
                $result.builtin_administrator = @{ sid = $admin.SID; disabled = [bool]$admin.Disabled }
            }
        }
        catch {
            $result.errors += "built-in Administrator: $(Get-TgErrorMessage $_)"
        }
    }
    # The group's own name is localized; it is only used to call the APIs, found through its SID.
    $group = Get-TgSidName -Sid $script:AdminsSid
    if ($null -eq $group.name) {
        $result.error = "cannot resolve $($script:AdminsSid) to the local group name: $($group.lookup_error.type): $($group.lookup_error.message)"
        return $result
    }
    $groupName = $group.name.Substring($group.name.IndexOf('\') + 1)
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
            $adsi = [ADSI]"WinNT://./$groupName,group"
            $sids = @()
            foreach ($member in @($adsi.psbase.Invoke('Members'))) {
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
    $named = Get-TgSidArrayName -Sids $sids -Max $script:MaxMembers
    $result.members = $named.entries
    $result.truncated = $named.truncated
    if (@($named.entries | Where-Object { $null -ne $_.lookup_error }).Count -gt 0) {
        # "Not mapped" only proves a domain account is gone when a domain controller of the
        # machine's domain answered: the raw outcome of the DC locator, judged in Python.
        $result.dc_locator = Get-TgDcLocator
    }
    return $result
}

Function Get-TgDcLocator {
    # @{ ok; domain; error } of locating a domain controller of this machine's domain (DsGetDcName).
    try {
        $domain = [System.DirectoryServices.ActiveDirectory.Domain]::GetComputerDomain()
        $dc = $domain.FindDomainController()
        return @{ ok = $true; domain = $domain.Name; error = $null; dc = $dc.Name }
    }
    catch {
        return @{ ok = $false; domain = $null; error = Get-TgErrorMessage $_; dc = $null }
    }
}

Function Get-TgUserRightsMaterial {
    # Raw SIDs holding the batch logon rights, each right on its own: a right that
    # cannot be read carries its error, never an empty list.
    $result = @{ method = 'lsa_api'; rights = @{}; error = $null }
    try {
        if (-not ('TaskGuard.AccountRights' -as [type])) {
            Add-Type -TypeDefinition $script:NetApiSource -ErrorAction Stop
        }
    }
    catch {
        $result.error = "LSA API not available: $(Get-TgErrorMessage $_)"
        return $result
    }
    foreach ($right in $script:BatchRights) {
        $entry = @{ holders = $null; truncated = $false; error = $null }
        try {
            $named = Get-TgSidArrayName -Sids ([TaskGuard.AccountRights]::GetSids($right)) -Max $script:MaxRightHolders
            $entry.holders = $named.entries
            $entry.truncated = $named.truncated
        }
        catch {
            $entry.error = Get-TgErrorMessage $_
        }
        $result.rights[$right] = $entry
    }
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
    $result = @{ keys = @{}; events = @(); events_error = $null; events_error_id = $null; errors = @() }
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
        # "No events were found" is an answer, not a failure: the controller tells it
        # apart by FullyQualifiedErrorId (NoMatchingEventsFound,...), never by the localized message.
        $result.events_error = Get-TgErrorMessage $_
        $result.events_error_id = $_.FullyQualifiedErrorId
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

Function Test-TgSysvolItem {
    <#
    .SYNOPSIS
    $true when the item exists, $false only when it does not. Anything else (access
    denied, a broken path) is thrown for the caller to report: Test-Path answers
    $false for a folder it may not read, which would make an unreadable GPO look empty.
    #>
    param([Parameter(Mandatory = $true)][String]$Path)
    try {
        $null = Get-Item -LiteralPath $Path -Force -ErrorAction Stop
    }
    catch [System.Management.Automation.ItemNotFoundException] {
        return $false
    }
    return $true
}

Function Get-TgSysvolMaterial {
    $result = @{ found = $false; root = $null; gpo_folders = 0; gpos = @(); errors = @() }
    try {
        $params = Get-TgRegistryValues -SubKey 'SYSTEM\CurrentControlSet\Services\Netlogon\Parameters'
        $sysvol = $null
        if ($null -ne $params -and $params.ContainsKey('SysVol')) {
            $sysvol = [Environment]::ExpandEnvironmentVariables([string]$params['SysVol'])
        }
        if (-not $sysvol) {
            # No SYSVOL share configured: not a domain controller, nothing to gather.
            return $null
        }
        if (-not (Test-Path -LiteralPath $sysvol)) {
            $result.errors += "SYSVOL share path $sysvol (Netlogon\Parameters) does not exist"
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
            # errors: what of this GPO could not be read (gpo_tasks.parse_live_material, TG-G011)
            $gpo = @{ guid = $folder.Name; gpt_ini_b64 = $null; files = @(); errors = @() }
            if ($folder.Attributes -band [System.IO.FileAttributes]::ReparsePoint) {
                # A GPO folder is never a link on a healthy DC: not followed, reported.
                $gpo.errors += "$($folder.FullName): a link or junction, not followed"
                $result.gpos += $gpo
                continue
            }
            $ini = Join-Path -Path $folder.FullName -ChildPath 'GPT.INI'
            try {
                if (Test-TgSysvolItem -Path $ini) {
                    $gpo.gpt_ini_b64 = Get-TgFileBase64 -Path $ini -MaxBytes $script:MaxIniBytes
                }
            }
            catch {
                $result.errors += "$($ini): $(Get-TgErrorMessage $_)"
            }
            foreach ($scope in @('Machine', 'User')) {
                $xml = Join-Path -Path $folder.FullName -ChildPath "$scope\Preferences\ScheduledTasks\ScheduledTasks.xml"
                try {
                    if (-not (Test-TgSysvolItem -Path $xml)) {
                        continue
                    }
                }
                catch {
                    $gpo.errors += "$($xml): $(Get-TgErrorMessage $_)"
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
    $result = @{ administrators = $null; user_rights = $null; laps = $null; sysvol = $null; error = $null }
    try {
        $result.administrators = Get-TgAdministratorsMaterial
    }
    catch {
        $result.administrators = @{ group_sid = $script:AdminsSid; members = @(); error = Get-TgErrorMessage $_ }
    }
    try {
        $result.user_rights = Get-TgUserRightsMaterial
    }
    catch {
        $result.user_rights = @{ method = 'lsa_api'; rights = @{}; error = Get-TgErrorMessage $_ }
    }
    try {
        $result.laps = Get-TgLapsMaterial
    }
    catch {
        $result.laps = @{ keys = @{}; events = @(); events_error = $null; events_error_id = $null; errors = @(Get-TgErrorMessage $_) }
    }
    try {
        # $null where no SYSVOL share is configured (not a domain controller).
        $result.sysvol = Get-TgSysvolMaterial
    }
    catch {
        $result.sysvol = @{ found = $false; root = $null; gpo_folders = 0; gpos = @(); errors = @(Get-TgErrorMessage $_) }
    }
    return $result
}

Export-ModuleMember -Function 'Get-TgAdminSurfaceMaterial', 'Get-TgAdministratorsMaterial', 'Get-TgUserRightsMaterial', 'Get-TgLapsMaterial', 'Get-TgSysvolMaterial'
