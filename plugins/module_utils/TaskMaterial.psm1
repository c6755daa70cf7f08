# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Gathers raw scheduled-task material on a Windows host. No interpretation here:
# parsing, normalising and the hidden-task comparison run on the controller
# (plugins/plugin_utils/task_collection.py). The shape returned by
# Get-TgTaskMaterial is pinned by tests/unit/fixtures/task_info/*.json.
# Every failure is returned as data (read = $false, error, errors[]), never
# swallowed, so the controller can say what could not be looked at.

Set-StrictMode -Version 2.0

$script:TaskCacheSubKey = 'SOFTWARE\Microsoft\Windows NT\CurrentVersion\Schedule\TaskCache'
# Hashing more than this is pointless for a task definition and bounds time.
$script:MaxHashBytes = 16777216
$script:MaxFiles = 50000
$script:MaxTasks = 50000

Function ConvertTo-TgIsoTime {
    param($Value)
    if ($null -eq $Value -or -not ($Value -is [DateTime])) {
        return $null
    }
    # COM returns local time with Kind Unspecified; UTC keeps hosts comparable.
    return $Value.ToUniversalTime().ToString('o')
}

Function ConvertTo-TgHex {
    param([byte[]]$Bytes)
    if ($null -eq $Bytes) {
        return $null
    }
    return ([System.BitConverter]::ToString($Bytes)).Replace('-', '').ToLowerInvariant()
}

Function Get-TgErrorText {
    param($ErrorRecord)
    $ex = $ErrorRecord.Exception
    while ($null -ne $ex.InnerException) {
        $ex = $ex.InnerException
    }
    $code = ''
    if ($ex.HResult) {
        $code = ' (0x{0:X8})' -f $ex.HResult
    }
    return "$($ex.Message)$code"
}

Function Test-TgIsAdmin {
    $identity = [System.Security.Principal.WindowsIdentity]::GetCurrent()
    $principal = New-Object -TypeName System.Security.Principal.WindowsPrincipal -ArgumentList $identity
    return $principal.IsInRole([System.Security.Principal.WindowsBuiltInRole]::Administrator)
}

Function Get-TgHostMaterial {
    $result = @{
        name = $env:COMPUTERNAME
        os_caption = $null
        os_version = $null
        os_build = $null
        product_type = $null
        domain_role = $null
        error = $null
    }
    try {
        $os = Get-CimInstance -ClassName Win32_OperatingSystem -ErrorAction Stop
        $cs = Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction Stop
        $result.os_caption = [string]$os.Caption
        $result.os_version = [string]$os.Version
        $result.os_build = [string]$os.BuildNumber
        $result.product_type = [int]$os.ProductType
        $result.domain_role = [int]$cs.DomainRole
        if ($cs.DNSHostName) {
            $result.name = [string]$cs.DNSHostName
        }
    }
    catch {
        $result.error = "cannot read Win32_OperatingSystem/Win32_ComputerSystem: $(Get-TgErrorText $_)"
    }
    return $result
}

Function Get-TgTaskApiMaterial {
    <#
    .SYNOPSIS
    Walks every Task Scheduler folder through the COM API (Schedule.Service),
    enumerating hidden tasks too (GetTasks(1) = TASK_ENUM_HIDDEN).
    .PARAMETER KnownHashes
    Steady-state runs: lower-cased task path -> SHA-256 the controller already
    holds (plugins/plugin_utils/definition_cache.py). When given, every task
    carries xml_sha256 (SHA-256 of FF FE + the XML as UTF-16 LE, the bytes
    task_model.definition_sha256 hashes) and xml_omitted; the XML is left out
    only when that hash, computed here over the definition read now, equals the
    known one. No decision beyond that equality is taken here.
    #>
    param(
        $KnownHashes = @{}
    )
    $result = @{
        read = $false
        error = $null
        tasks = New-Object -TypeName System.Collections.ArrayList
        folder_errors = New-Object -TypeName System.Collections.ArrayList
        known_hashes = 0
    }
    $hashing = $false
    if ($null -ne $KnownHashes -and $KnownHashes.Count -gt 0) {
        $hashing = $true
        $result.known_hashes = $KnownHashes.Count
        $sha = [System.Security.Cryptography.SHA256]::Create()
    }
    try {
        $service = New-Object -ComObject Schedule.Service
        $service.Connect()
        $rootFolder = $service.GetFolder('\')
    }
    catch {
        $result.error = "cannot connect to the Task Scheduler service: $(Get-TgErrorText $_)"
        return $result
    }
    $result.read = $true
    $pending = New-Object -TypeName System.Collections.ArrayList
    [void]$pending.Add($rootFolder)
    while ($pending.Count -gt 0) {
        $folder = $pending[$pending.Count - 1]
        $pending.RemoveAt($pending.Count - 1)
        $folderPath = '\'
        try {
            $folderPath = [string]$folder.Path
        }
        catch {
            $folderPath = '\'
        }
        try {
            foreach ($sub in @($folder.GetFolders(0))) {
                [void]$pending.Add($sub)
            }
        }
        catch {
            [void]$result.folder_errors.Add(@{ path = $folderPath; error = "cannot list subfolders: $(Get-TgErrorText $_)" })
        }
        $tasks = $null
        try {
            $tasks = @($folder.GetTasks(1))
        }
        catch {
            [void]$result.folder_errors.Add(@{ path = $folderPath; error = "cannot list tasks: $(Get-TgErrorText $_)" })
            continue
        }
        foreach ($task in $tasks) {
            if ($result.tasks.Count -ge $script:MaxTasks) {
                [void]$result.folder_errors.Add(@{ path = $folderPath; error = "more than $($script:MaxTasks) tasks: enumeration stopped" })
                return $result
            }
            $item = @{
                path = $null
                xml = $null
                state = $null
                enabled = $null
                last_run_time = $null
                next_run_time = $null
                last_result = $null
                error = $null
            }
            try {
                $item.path = [string]$task.Path
                $item.state = [int]$task.State
                $item.enabled = [bool]$task.Enabled
                $item.xml = [string]$task.Xml
            }
            catch {
                $item.error = "cannot read task: $(Get-TgErrorText $_)"
            }
            if ($hashing -and $null -ne $item.xml -and $null -ne $item.path) {
                $body = [System.Text.Encoding]::Unicode.GetBytes($item.xml)
                $buffer = New-Object -TypeName byte[] -ArgumentList ($body.Length + 2)
                $buffer[0] = 0xFF
                $buffer[1] = 0xFE
                [System.Array]::Copy($body, 0, $buffer, 2, $body.Length)
                $item.xml_sha256 = ConvertTo-TgHex ($sha.ComputeHash($buffer))
                $item.xml_omitted = $false
                $key = $item.path.ToLowerInvariant()
                if ($KnownHashes.ContainsKey($key) -and ([string]$KnownHashes[$key]).ToLowerInvariant() -eq $item.xml_sha256) {
                    $item.xml_omitted = $true
                    $item.xml = $null
                }
            }
            try {
                $item.last_run_time = ConvertTo-TgIsoTime $task.LastRunTime
                $item.next_run_time = ConvertTo-TgIsoTime $task.NextRunTime
                $item.last_result = [int]$task.LastTaskResult
            }
            catch {
                if ($null -eq $item.error) {
                    $item.error = "cannot read run state: $(Get-TgErrorText $_)"
                }
            }
            if ($null -ne $item.path) {
                [void]$result.tasks.Add($item)
            }
        }
    }
    return $result
}

Function Get-TgTaskCacheMaterial {
    <#
    .SYNOPSIS
    Reads TaskCache Tree (Id, Index, SD presence) and Tasks (Path, Hash) values.
    The 64-bit registry view is used so a 32-bit host process sees the real key.
    tree_unreadable lists the Tree paths (as in tree[].path) whose key, values or
    subkeys could not be read: nothing at or below them is known, so the
    controller does not take a Tasks entry there for one without its Tree key.
    #>
    $result = @{
        read = $false
        error = $null
        tree = New-Object -TypeName System.Collections.ArrayList
        tasks = New-Object -TypeName System.Collections.ArrayList
        errors = New-Object -TypeName System.Collections.ArrayList
        tree_unreadable = New-Object -TypeName System.Collections.ArrayList
    }
    try {
        $hklm = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
        $cache = $hklm.OpenSubKey($script:TaskCacheSubKey, $false)
    }
    catch {
        $result.error = "cannot open HKLM\$($script:TaskCacheSubKey): $(Get-TgErrorText $_)"
        return $result
    }
    if ($null -eq $cache) {
        $result.error = "HKLM\$($script:TaskCacheSubKey) does not exist"
        return $result
    }
    $result.read = $true

    # Tree: every key, folders included (the controller tells them apart by Id).
    $treeListed = $false
    $tasksListed = $false
    $treeKey = $null
    try {
        $treeKey = $cache.OpenSubKey('Tree', $false)
    }
    catch {
        [void]$result.errors.Add(@{ path = 'Tree'; error = Get-TgErrorText $_ })
    }
    if ($null -ne $treeKey) {
        $pending = New-Object -TypeName System.Collections.ArrayList
        [void]$pending.Add(@{ key = $treeKey; path = '' })
        while ($pending.Count -gt 0) {
            $current = $pending[$pending.Count - 1]
            $pending.RemoveAt($pending.Count - 1)
            $key = $current.key
            if ($current.path -ne '') {
                $entry = @{ path = $current.path; id = $null; index = $null; sd_present = $false; sd_length = $null }
                try {
                    $id = $key.GetValue('Id', $null)
                    if ($null -ne $id) {
                        $entry.id = [string]$id
                    }
                    $index = $key.GetValue('Index', $null)
                    if ($null -ne $index) {
                        $entry.index = [int64]$index
                    }
                    $sd = $key.GetValue('SD', $null)
                    if ($null -ne $sd) {
                        $entry.sd_present = ([byte[]]$sd).Length -gt 0
                        $entry.sd_length = ([byte[]]$sd).Length
                    }
                }
                catch {
                    [void]$result.errors.Add(@{ path = "Tree$($current.path)"; error = Get-TgErrorText $_ })
                    [void]$result.tree_unreadable.Add($current.path)
                }
                [void]$result.tree.Add($entry)
            }
            try {
                $subNames = $key.GetSubKeyNames()
                if ($current.path -eq '') {
                    $treeListed = $true
                }
                foreach ($name in $subNames) {
                    try {
                        $sub = $key.OpenSubKey($name, $false)
                        if ($null -ne $sub) {
                            [void]$pending.Add(@{ key = $sub; path = "$($current.path)\$name" })
                        }
                        else {
                            # Listed, then gone (or not openable) when opened: not known, not absent.
                            [void]$result.errors.Add(@{ path = "Tree$($current.path)\$name"; error = 'listed but could not be opened' })
                            [void]$result.tree_unreadable.Add("$($current.path)\$name")
                        }
                    }
                    catch {
                        [void]$result.errors.Add(@{ path = "Tree$($current.path)\$name"; error = Get-TgErrorText $_ })
                        [void]$result.tree_unreadable.Add("$($current.path)\$name")
                    }
                }
            }
            catch {
                [void]$result.errors.Add(@{ path = "Tree$($current.path)"; error = "cannot list subkeys: $(Get-TgErrorText $_)" })
                if ($current.path -ne '') {
                    [void]$result.tree_unreadable.Add($current.path)
                }
            }
            # A busy host has thousands of Tree keys: release each handle when done.
            $key.Close()
        }
    }
    else {
        [void]$result.errors.Add(@{ path = 'Tree'; error = 'Tree key missing or not readable' })
    }

    $tasksKey = $null
    try {
        $tasksKey = $cache.OpenSubKey('Tasks', $false)
    }
    catch {
        [void]$result.errors.Add(@{ path = 'Tasks'; error = Get-TgErrorText $_ })
    }
    $guids = @()
    if ($null -ne $tasksKey) {
        try {
            $guids = $tasksKey.GetSubKeyNames()
            $tasksListed = $true
        }
        catch {
            # Returned as data: the API and file halves and the Tree entries still arrive.
            [void]$result.errors.Add(@{ path = 'Tasks'; error = "cannot list subkeys: $(Get-TgErrorText $_)" })
        }
        foreach ($guid in $guids) {
            $entry = @{ guid = $guid; path = $null; hash = $null }
            $sub = $null
            try {
                $sub = $tasksKey.OpenSubKey($guid, $false)
                $path = $sub.GetValue('Path', $null)
                if ($null -ne $path) {
                    $entry.path = [string]$path
                }
                $hash = $sub.GetValue('Hash', $null)
                if ($hash -is [byte[]]) {
                    $entry.hash = ConvertTo-TgHex $hash
                }
            }
            catch {
                [void]$result.errors.Add(@{ path = "Tasks\$guid"; error = Get-TgErrorText $_ })
            }
            if ($null -ne $sub) {
                $sub.Close()
            }
            [void]$result.tasks.Add($entry)
        }
    }
    else {
        [void]$result.errors.Add(@{ path = 'Tasks'; error = 'Tasks key missing or not readable' })
    }
    if (-not ($treeListed -and $tasksListed)) {
        # Tree and Tasks are judged against each other: without one list, every entry
        # of the other would look tampered with. The half then counts as not read (the
        # controller reports the gap and runs no registry check); what was read stays.
        $result.read = $false
        $result.error = 'TaskCache Tree or Tasks could not be listed (see errors)'
    }
    return $result
}

Function New-TgFileListResult {
    <#
    .SYNOPSIS
    The result shape of a walk over files (task files, job files), also what a walk
    that failed outright returns: {read, error, root, max_content_bytes, entries,
    errors, truncated}. Pinned by tests/unit/fixtures/task_info/*.json.
    #>
    param(
        $Root,
        [int]$MaxContentBytes,
        $ErrorText = $null
    )
    return @{
        read = $false
        error = $ErrorText
        root = $Root
        max_content_bytes = $MaxContentBytes
        entries = New-Object -TypeName System.Collections.ArrayList
        errors = New-Object -TypeName System.Collections.ArrayList
        truncated = $false
    }
}

Function Get-TgTaskFileMaterial {
    <#
    .SYNOPSIS
    Lists task files under %WINDIR%\System32\Tasks with size and SHA-256, and
    returns the content (base64, size-bounded) of files the API did not return.
    #>
    param(
        [System.Collections.Hashtable]$ApiPaths,
        [int]$MaxContentBytes
    )
    $windir = $env:WINDIR
    $system = 'System32'
    if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
        # A 32-bit host process would be redirected to SysWOW64.
        $system = 'Sysnative'
    }
    $root = [System.IO.Path]::Combine($windir, $system, 'Tasks')
    $result = New-TgFileListResult -Root $root -MaxContentBytes $MaxContentBytes
    if (-not [System.IO.Directory]::Exists($root)) {
        $result.error = "$root does not exist or cannot be accessed"
        return $result
    }
    try {
        [void][System.IO.Directory]::GetFileSystemEntries($root)
    }
    catch {
        $result.error = "cannot list $($root): $(Get-TgErrorText $_)"
        return $result
    }
    $result.read = $true
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $pending = New-Object -TypeName System.Collections.ArrayList
    [void]$pending.Add(@{ dir = $root; rel = '' })
    while ($pending.Count -gt 0) {
        $current = $pending[$pending.Count - 1]
        $pending.RemoveAt($pending.Count - 1)
        try {
            foreach ($dir in [System.IO.Directory]::GetDirectories($current.dir)) {
                $name = [System.IO.Path]::GetFileName($dir)
                $attributes = [System.IO.File]::GetAttributes($dir)
                if (($attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) {
                    [void]$result.errors.Add(@{ path = "$($current.rel)\$name"; error = 'reparse point (junction/symlink): not followed' })
                    continue
                }
                [void]$pending.Add(@{ dir = $dir; rel = "$($current.rel)\$name" })
            }
        }
        catch {
            [void]$result.errors.Add(@{ path = "$($current.rel)\"; error = "cannot list folders: $(Get-TgErrorText $_)" })
        }
        $files = @()
        try {
            $files = [System.IO.Directory]::GetFiles($current.dir)
        }
        catch {
            [void]$result.errors.Add(@{ path = "$($current.rel)\"; error = "cannot list files: $(Get-TgErrorText $_)" })
        }
        foreach ($file in $files) {
            if ($result.entries.Count -ge $script:MaxFiles) {
                $result.truncated = $true
                return $result
            }
            $rel = "$($current.rel)\$([System.IO.Path]::GetFileName($file))"
            $entry = @{ path = $rel; size = $null; sha256 = $null; content_sha256 = $null; content = $null; error = $null }
            try {
                $info = New-Object -TypeName System.IO.FileInfo -ArgumentList $file
                $entry.size = [int64]$info.Length
                if ($info.Length -gt $script:MaxHashBytes) {
                    $entry.error = "file of $($info.Length) bytes: not hashed"
                }
                else {
                    $bytes = [System.IO.File]::ReadAllBytes($file)
                    $entry.sha256 = ConvertTo-TgHex ($sha.ComputeHash($bytes))
                    # TaskCache Hash is documented as SHA-256 of the file without its BOM.
                    if ($bytes.Length -ge 2 -and $bytes[0] -eq 0xFF -and $bytes[1] -eq 0xFE) {
                        $entry.content_sha256 = ConvertTo-TgHex ($sha.ComputeHash($bytes, 2, $bytes.Length - 2))
                    }
                    else {
                        $entry.content_sha256 = $entry.sha256
                    }
                    if (-not $ApiPaths.ContainsKey($rel.ToLowerInvariant())) {
                        if ($bytes.Length -le $MaxContentBytes) {
                            $entry.content = [System.Convert]::ToBase64String($bytes)
                        }
                        else {
                            $entry.error = "file of $($bytes.Length) bytes exceeds max_content_bytes: content not returned"
                        }
                    }
                }
            }
            catch {
                $entry.error = "cannot read: $(Get-TgErrorText $_)"
            }
            [void]$result.entries.Add($entry)
        }
    }
    return $result
}

Function Get-TgJobFileMaterial {
    <#
    .SYNOPSIS
    Returns the raw bytes (base64) of the legacy job files %WINDIR%\Tasks\*.job
    (at.exe, NetScheduleJobAdd, v1 tasks). Nothing is parsed here: the controller
    parses them (plugins/plugin_utils/job_file.py). Bounded: at most $MaxJobs
    files of at most $MaxJobBytes each (a real .job is a few hundred bytes).
    #>
    param(
        [int]$MaxJobs = 1000,
        [int]$MaxJobBytes = 65536
    )
    # %WINDIR%\Tasks is not under System32, so WOW64 does not redirect it.
    $root = [System.IO.Path]::Combine($env:WINDIR, 'Tasks')
    $result = New-TgFileListResult -Root $root -MaxContentBytes $MaxJobBytes
    if (-not [System.IO.Directory]::Exists($root)) {
        $result.error = "$root does not exist or cannot be accessed"
        return $result
    }
    $files = @()
    try {
        # Not recursive: the scheduler keeps job files in this folder only.
        $files = [System.IO.Directory]::GetFiles($root, '*.job')
    }
    catch {
        $result.error = "cannot list $($root): $(Get-TgErrorText $_)"
        return $result
    }
    $result.read = $true
    foreach ($file in $files) {
        if ($result.entries.Count -ge $MaxJobs) {
            $result.truncated = $true
            break
        }
        $entry = @{ name = [System.IO.Path]::GetFileName($file); size = $null; content = $null; error = $null }
        try {
            $info = New-Object -TypeName System.IO.FileInfo -ArgumentList $file
            $entry.size = [int64]$info.Length
            if (($info.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0) {
                $entry.error = 'reparse point (junction/symlink): not read'
            }
            elseif ($info.Length -gt $MaxJobBytes) {
                $entry.error = "file of $($info.Length) bytes exceeds $($MaxJobBytes): content not returned"
            }
            else {
                $entry.content = [System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes($file))
            }
        }
        catch {
            $entry.error = "cannot read: $(Get-TgErrorText $_)"
        }
        [void]$result.entries.Add($entry)
    }
    return $result
}

Function Get-TgTaskMaterial {
    <#
    .SYNOPSIS
    Everything task_info needs from one host, in one call (one WinRM round trip).
    #>
    param(
        [int]$MaxContentBytes = 1048576,
        $KnownHashes = @{}
    )
    # Each half is guarded on its own: an exception nobody foresaw in one of them
    # becomes that half's read = $false / error, and the other halves still arrive.
    try {
        $api = Get-TgTaskApiMaterial -KnownHashes $KnownHashes
    }
    catch {
        $api = @{ read = $false; error = "Task Scheduler API walk failed: $(Get-TgErrorText $_)"; tasks = @(); folder_errors = @(); known_hashes = 0 }
    }
    $apiPaths = @{}
    foreach ($task in $api.tasks) {
        $apiPaths[([string]$task.path).ToLowerInvariant()] = $true
    }
    $isAdmin = Test-TgIsAdmin
    $hostInfo = Get-TgHostMaterial
    try {
        $taskCache = Get-TgTaskCacheMaterial
    }
    catch {
        $taskCache = @{ read = $false; error = "TaskCache read failed: $(Get-TgErrorText $_)"; tree = @(); tasks = @(); errors = @(); tree_unreadable = @() }
    }
    try {
        $files = Get-TgTaskFileMaterial -ApiPaths $apiPaths -MaxContentBytes $MaxContentBytes
    }
    catch {
        $files = New-TgFileListResult -MaxContentBytes $MaxContentBytes -ErrorText "task file walk failed: $(Get-TgErrorText $_)"
    }
    try {
        $jobFiles = Get-TgJobFileMaterial
    }
    catch {
        $jobFiles = New-TgFileListResult -MaxContentBytes 65536 -ErrorText "job file read failed: $(Get-TgErrorText $_)"
    }
    return @{
        collector_version = 1
        is_admin = $isAdmin
        host = $hostInfo
        api = $api
        taskcache = $taskCache
        files = $files
        job_files = $jobFiles
    }
}

Export-ModuleMember -Function 'Get-TgTaskMaterial', 'Get-TgTaskApiMaterial', 'Get-TgTaskCacheMaterial', 'Get-TgTaskFileMaterial', 'Get-TgJobFileMaterial', 'Get-TgHostMaterial', 'Test-TgIsAdmin'
