#!powershell

# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

#AnsibleRequires -CSharpUtil Ansible.Basic
#AnsibleRequires -CSharpUtil Ansible.Privilege
#AnsibleRequires -PowerShell Ansible.ModuleUtils.AddType

# Reads and sets one advanced audit policy subcategory by GUID through the Win32 API
# (AuditQuerySystemPolicy / AuditSetSystemPolicy). Why not auditpol or
# ansible.windows.win_audit_policy_system: both work with the display text, and on a
# non-English host the subcategory names, the CSV header and the inclusion setting
# ("Success and Failure") are localized. The API takes and returns a GUID and a bit
# mask, which are the same in every language.

$spec = @{
    options = @{
        subcategory_guid = @{ type = 'str'; required = $true }
        success = @{ type = 'bool' }
        failure = @{ type = 'bool' }
    }
    supports_check_mode = $true
}
$module = [Ansible.Basic.AnsibleModule]::Create($args, $spec)

$guidText = $module.Params.subcategory_guid
$wantSuccess = $module.Params.success
$wantFailure = $module.Params.failure

$subcategory = [Guid]::Empty
if (-not [Guid]::TryParse($guidText, [ref]$subcategory)) {
    $module.FailJson("subcategory_guid '$guidText' is not a GUID")
}

Add-CSharpType -AnsibleModule $module -References @'
using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace TaskGuard.Windows
{
    public static class AuditPolicyNative
    {
        // POLICY_AUDIT_EVENT_SUCCESS = 1, POLICY_AUDIT_EVENT_FAILURE = 2, POLICY_AUDIT_EVENT_NONE = 4 (ntsecapi.h)
        public const UInt32 EventNone = 4;

        [StructLayout(LayoutKind.Sequential)]
        public struct AUDIT_POLICY_INFORMATION
        {
            public Guid AuditSubCategoryGuid;
            public UInt32 AuditingInformation;
            public Guid AuditCategoryGuid;
        }

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.U1)]
        private static extern bool AuditQuerySystemPolicy(
            [In] Guid[] pSubCategoryGuids,
            UInt32 dwPolicyCount,
            out IntPtr ppAuditPolicy);

        [DllImport("advapi32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.U1)]
        private static extern bool AuditSetSystemPolicy(
            [In] AUDIT_POLICY_INFORMATION[] pAuditPolicy,
            UInt32 dwPolicyCount);

        [DllImport("advapi32.dll")]
        private static extern void AuditFree(IntPtr buffer);

        public static AUDIT_POLICY_INFORMATION Query(Guid subCategory)
        {
            IntPtr buffer;
            if (!AuditQuerySystemPolicy(new Guid[] { subCategory }, 1, out buffer))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "AuditQuerySystemPolicy failed");
            try
            {
                return (AUDIT_POLICY_INFORMATION)Marshal.PtrToStructure(buffer, typeof(AUDIT_POLICY_INFORMATION));
            }
            finally
            {
                AuditFree(buffer);
            }
        }

        public static void Set(Guid subCategory, UInt32 auditingInformation)
        {
            AUDIT_POLICY_INFORMATION info = new AUDIT_POLICY_INFORMATION();
            info.AuditSubCategoryGuid = subCategory;
            // Zero would mean "unchanged" to the API; "no auditing" is POLICY_AUDIT_EVENT_NONE.
            info.AuditingInformation = auditingInformation == 0 ? EventNone : auditingInformation;
            info.AuditCategoryGuid = Guid.Empty;
            if (!AuditSetSystemPolicy(new AUDIT_POLICY_INFORMATION[] { info }, 1))
                throw new Win32Exception(Marshal.GetLastWin32Error(), "AuditSetSystemPolicy failed");
        }
    }
}
'@

Function ConvertTo-AuditState {
    param ([UInt32]$Value)
    # Raw bit mask returned too so the controller can see exactly what the API said.
    return @{
        success = [bool]($Value -band 1)
        failure = [bool]($Value -band 2)
        value = [int]$Value
    }
}

$module.Result.subcategory_guid = $subcategory.ToString('B').ToUpperInvariant()

# Administrators hold SeSecurityPrivilege but it is disabled in the token; the audit
# API needs it enabled. $false: do not fail here if it is not held, the API call will.
$privilege = New-Object -TypeName Ansible.Privilege.PrivilegeEnabler -ArgumentList @($false, 'SeSecurityPrivilege')
try {
    try {
        $current = [TaskGuard.Windows.AuditPolicyNative]::Query($subcategory)
    }
    catch {
        $module.FailJson("Failed to query audit subcategory $($module.Result.subcategory_guid): $($_.Exception.Message)", $_)
    }
    $module.Result.category_guid = $current.AuditCategoryGuid.ToString('B').ToUpperInvariant()
    $before = ConvertTo-AuditState -Value ($current.AuditingInformation -band 3)
    $module.Result.before = $before
    $module.Diff.before = @{ success = $before.success; failure = $before.failure }

    $newSuccess = $before.success
    $newFailure = $before.failure
    if ($null -ne $wantSuccess) { $newSuccess = $wantSuccess }
    if ($null -ne $wantFailure) { $newFailure = $wantFailure }
    $newValue = [UInt32]0
    if ($newSuccess) { $newValue = $newValue -bor 1 }
    if ($newFailure) { $newValue = $newValue -bor 2 }

    if ($newValue -ne [UInt32]$before.value) {
        $module.Result.changed = $true
        if ($module.CheckMode) {
            $after = ConvertTo-AuditState -Value $newValue
        }
        else {
            try {
                [TaskGuard.Windows.AuditPolicyNative]::Set($subcategory, $newValue)
                $readBack = [TaskGuard.Windows.AuditPolicyNative]::Query($subcategory)
            }
            catch {
                $module.FailJson("Failed to set audit subcategory $($module.Result.subcategory_guid): $($_.Exception.Message)", $_)
            }
            $after = ConvertTo-AuditState -Value ($readBack.AuditingInformation -band 3)
        }
    }
    else {
        $after = $before
    }
}
finally {
    $privilege.Dispose()
}

$module.Result.after = $after
$module.Diff.after = @{ success = $after.success; failure = $after.failure }
$module.ExitJson()
