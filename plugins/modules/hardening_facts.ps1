#!powershell

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic

# Gathers, read-only and in one round trip, the raw host material the hardening role's
# decisions need: numeric role codes, shares, the FS-FileServer feature state, whether
# at.exe exists, and the registry values the controls look at. Nothing here is
# interpreted: the controller (plugins/plugin_utils/hardening.py) decides. Only
# language-independent identifiers are returned (numbers, feature and value names);
# the OS caption is returned for humans and must never be matched.

$spec = @{
    options = @{}
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$errors = [System.Collections.ArrayList]@()

Function Add-FactError {
    param ([string]$Source, $ErrorRecord)
    [void]$errors.Add(@{ source = $Source; error = [string]$ErrorRecord.Exception.Message })
}

$computer = @{ domain_role = $null; part_of_domain = $null }
try {
    $cs = Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop
    $computer.domain_role = [int]$cs.DomainRole
    $computer.part_of_domain = [bool]$cs.PartOfDomain
}
catch { Add-FactError -Source 'Win32_ComputerSystem' -ErrorRecord $_ }

$os = @{ product_type = $null; version = $null; build_number = $null; caption = $null }
try {
    $osInfo = Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop
    $os.product_type = [int]$osInfo.ProductType
    $os.version = [string]$osInfo.Version
    $os.build_number = [string]$osInfo.BuildNumber
    $os.caption = [string]$osInfo.Caption
}
catch { Add-FactError -Source 'Win32_OperatingSystem' -ErrorRecord $_ }

$shares = $null
try {
    # Type is the numeric share type (0 disk, 1 print queue, 3 IPC, 0x80000000 bit = admin share).
    $shares = @(Get-CimInstance -ClassName Win32_Share -ErrorAction Stop | ForEach-Object {
            @{ name = [string]$_.Name; type = [int64]$_.Type; path = [string]$_.Path }
        })
}
catch { Add-FactError -Source 'Win32_Share' -ErrorRecord $_ }

# Feature names (FS-FileServer) are not localized; Get-WindowsFeature exists on Server
# SKUs only, so null means "could not look", not "not installed".
$features = @{ 'FS-FileServer' = $null }
if (Get-Command -Name Get-WindowsFeature -ErrorAction SilentlyContinue) {
    try {
        $feature = Get-WindowsFeature -Name 'FS-FileServer' -ErrorAction Stop
        if ($null -ne $feature) { $features['FS-FileServer'] = [bool]$feature.Installed }
    }
    catch { Add-FactError -Source 'Get-WindowsFeature' -ErrorRecord $_ }
}

$atExe = Join-Path -Path ([Environment]::GetFolderPath('System')) -ChildPath 'at.exe'
$atExePresent = Test-Path -LiteralPath $atExe -PathType Leaf

$registryWanted = @(
    @{ key = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa'; name = 'SCENoApplyLegacyAuditPolicy' }
    @{ key = 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa'; name = 'SubmitControl' }
    @{ key = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\Configuration'; name = 'EnableAt' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\EventLog\Security'; name = 'MaxSize' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\Task Scheduler5.0'; name = 'Task Creation' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\Task Scheduler5.0'; name = 'Task Deletion' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\Task Scheduler5.0'; name = 'Execution' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\Task Scheduler5.0'; name = 'DragAndDrop' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\Task Scheduler5.0'; name = 'Property Pages' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\Task Scheduler5.0'; name = 'Allow Browse' }
    @{ key = 'HKLM:\SOFTWARE\Policies\Microsoft\Windows\Task Scheduler5.0'; name = 'Disable Advanced' }
)
$registry = [System.Collections.ArrayList]@()
foreach ($item in $registryWanted) {
    # exists: $true / $false (key or value absent) / $null with error (could not look).
    # Access denied must never read as "absent": for EnableAt absent means compliant.
    $entry = @{ path = $item.key; name = $item.name; exists = $false; type = $null; value = $null; error = $null }
    $regKey = $null
    try {
        # OpenSubKey returns $null for a missing key and throws on access denied.
        $regKey = [Microsoft.Win32.Registry]::LocalMachine.OpenSubKey($item.key.Substring(6), $false)
        if ($null -ne $regKey -and ($regKey.GetValueNames() -contains $item.name)) {
            $entry.exists = $true
            $entry.type = $regKey.GetValueKind($item.name).ToString()
            $raw = $regKey.GetValue($item.name, $null, 'DoNotExpandEnvironmentNames')
            if ($raw -is [byte[]]) { $entry.value = [Convert]::ToBase64String($raw) }
            elseif ($raw -is [array]) { $entry.value = @($raw | ForEach-Object { [string]$_ }) }
            else { $entry.value = $raw }
        }
    }
    catch {
        $entry.exists = $null
        $entry.type = $null
        $entry.value = $null
        $entry.error = [string]$_.Exception.Message
        Add-FactError -Source "registry:$($item.key)\$($item.name)" -ErrorRecord $_
    }
    finally { if ($null -ne $regKey) { $regKey.Close() } }
    [void]$registry.Add($entry)
}

$module.Result.computer = $computer
$module.Result.os = $os
$module.Result.shares = $shares
$module.Result.features = $features
$module.Result.at_exe_present = $atExePresent
$module.Result.registry = @($registry)
$module.Result.errors = @($errors)
$module.ExitJson()
