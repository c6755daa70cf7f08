# Copyright: (c) 2026, taskguard contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

# Gathers raw task-event material on a Windows host: per channel its settings and
# record range, and the event XML of the requested task events. No parsing or
# judging here (the controller does that in plugins/plugin_utils/event_collection.py);
# every failure is returned as data ({type, hresult, message}) because "could not
# read the Security log" must become a coverage finding, not a failed task.
# Used by plugins/modules/task_events.ps1 and the combined collect module.

Set-StrictMode -Version 2.0

# Which channel logs which task event. Static facts, not decisions.
$script:TgEventChannels = [Ordered]@{
    'Microsoft-Windows-TaskScheduler/Operational' = @(106, 140, 141, 142, 129, 200, 201)
    'Security' = @(1102, 4698, 4699, 4700, 4701, 4702)
}

Function ConvertTo-TgErrorData {
    <#
    .SYNOPSIS
    Turns an ErrorRecord into {type, hresult, message}; the controller classifies by
    type name / HRESULT because messages are localized.
    #>
    param($ErrorRecord)
    $ex = $ErrorRecord
    if ($ErrorRecord -is [System.Management.Automation.ErrorRecord]) {
        $ex = $ErrorRecord.Exception
    }
    # New-Object and method calls wrap the real exception.
    while ($null -ne $ex.InnerException -and (
            $ex -is [System.Management.Automation.MethodInvocationException] -or
            $ex -is [System.Reflection.TargetInvocationException])) {
        $ex = $ex.InnerException
    }
    @{
        type = $ex.GetType().FullName
        hresult = $ex.HResult
        message = $ex.Message
    }
}

Function ConvertTo-TgUtcString {
    param($DateTime)
    if ($null -eq $DateTime) {
        return $null
    }
    # Round-trip format keeps the 100 ns precision of the event time.
    ([DateTime]$DateTime).ToUniversalTime().ToString('o')
}

Function Get-TgEventChannelConfig {
    <#
    .SYNOPSIS
    EventLogConfiguration values of one channel (works for classic and crimson logs).
    #>
    param([Parameter(Mandatory = $true)][String]$Name)
    $config = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogConfiguration -ArgumentList $Name
    try {
        @{
            is_enabled = $config.IsEnabled
            log_mode = $config.LogMode.ToString()
            max_size_bytes = $config.MaximumSizeInBytes
            log_file_path = $config.LogFilePath
        }
    }
    finally {
        $config.Dispose()
    }
}

Function Get-TgEventChannelInfo {
    <#
    .SYNOPSIS
    EventLogInformation of one channel: file size, record count, oldest record number.
    #>
    param([Parameter(Mandatory = $true)][String]$Name)
    $session = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogSession
    try {
        $info = $session.GetLogInformation($Name, [System.Diagnostics.Eventing.Reader.PathType]::LogName)
        @{
            file_size_bytes = $info.FileSize
            record_count = $info.RecordCount
            oldest_record_number = $info.OldestRecordNumber
            is_log_full = $info.IsLogFull
            last_write_time = ConvertTo-TgUtcString -DateTime $info.LastWriteTime
        }
    }
    finally {
        $session.Dispose()
    }
}

Function Get-TgEventEdgeRecord {
    <#
    .SYNOPSIS
    Record id and time of the oldest (or newest) record still in a channel; $null when empty.
    #>
    param(
        [Parameter(Mandatory = $true)][String]$Name,
        [Switch]$Newest
    )
    $query = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogQuery -ArgumentList @(
        $Name, [System.Diagnostics.Eventing.Reader.PathType]::LogName, '*'
    )
    $query.ReverseDirection = $Newest.IsPresent
    $reader = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogReader -ArgumentList $query
    try {
        $record = $reader.ReadEvent()
        if ($null -eq $record) {
            return $null
        }
        try {
            @{
                record_id = $record.RecordId
                time = ConvertTo-TgUtcString -DateTime $record.TimeCreated
            }
        }
        finally {
            $record.Dispose()
        }
    }
    finally {
        $reader.Dispose()
    }
}

Function Get-TgEventBookmarkAt {
    <#
    .SYNOPSIS
    A genuine EventBookmark at record RecordId (or the record just before it), found by
    position instead of by an XPath filter: record numbers of a channel count up by
    one from the oldest record, so record N is (N - oldest) events after the first.
    $null when the record found there is newer than RecordId (numbering with gaps);
    the caller then filters with XPath instead.
    #>
    param(
        [Parameter(Mandatory = $true)][String]$Name,
        [Parameter(Mandatory = $true)][Int64]$RecordId,
        [Parameter(Mandatory = $true)][Int64]$OldestRecordId
    )
    $query = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogQuery -ArgumentList @(
        $Name, [System.Diagnostics.Eventing.Reader.PathType]::LogName, '*'
    )
    $reader = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogReader -ArgumentList $query
    try {
        $reader.Seek([System.IO.SeekOrigin]::Begin, $RecordId - $OldestRecordId)
        $record = $reader.ReadEvent()
        if ($null -eq $record) {
            return $null
        }
        try {
            if ($record.RecordId -gt $RecordId) {
                return $null
            }
            # The bookmark is its XML text: it outlives the record and the reader.
            return $record.Bookmark
        }
        finally {
            $record.Dispose()
        }
    }
    finally {
        $reader.Dispose()
    }
}

Function New-TgEventXPath {
    <#
    .SYNOPSIS
    XPath for the host-side filter: event ids plus "newer than the bookmark".
    #>
    param(
        [Parameter(Mandatory = $true)][Int32[]]$EventId,
        $SinceRecordId = $null,
        $SinceTime = $null
    )
    $ids = @($EventId | ForEach-Object { 'EventID={0}' -f [Int32]$_ }) -join ' or '
    $clause = "($ids)"
    if ($null -ne $SinceRecordId) {
        $clause += ' and EventRecordID > {0}' -f [Int64]$SinceRecordId
    }
    elseif ($null -ne $SinceTime) {
        # The time comes from a validated bookmark; check again, it goes into a query.
        if ([String]$SinceTime -notmatch '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$') {
            throw "since time '$SinceTime' is not an ISO 8601 UTC time"
        }
        $clause += " and TimeCreated[@SystemTime > '$SinceTime']"
    }
    "*[System[$clause]]"
}

Function Get-TgEventRecordXml {
    <#
    .SYNOPSIS
    Reads matching events oldest first, at most MaxEvents; reads one more to know
    whether the result was truncated.
    #>
    param(
        [Parameter(Mandatory = $true)][String]$Name,
        [Parameter(Mandatory = $true)][String]$XPath,
        [Parameter(Mandatory = $true)][Int32]$MaxEvents,
        $Bookmark = $null,
        [Int64]$AfterRecordId = -1
    )
    $result = @{
        events = [System.Collections.ArrayList]@()
        record_errors = [System.Collections.ArrayList]@()
        truncated = $false
        query_error = $null
    }
    $reader = $null
    try {
        $query = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogQuery -ArgumentList @(
            $Name, [System.Diagnostics.Eventing.Reader.PathType]::LogName, $XPath
        )
        # Oldest first: on truncation the controller keeps the bookmark at the last
        # returned record and the next run continues from there.
        $query.ReverseDirection = $false
        if ($null -ne $Bookmark) {
            # Starts reading after the bookmark (EvtSeek relative to it) instead of
            # testing every record of the channel from the oldest one.
            $reader = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogReader -ArgumentList @($query, $Bookmark)
        }
        else {
            $reader = New-Object -TypeName System.Diagnostics.Eventing.Reader.EventLogReader -ArgumentList $query
        }
        while ($true) {
            $record = $reader.ReadEvent()
            if ($null -eq $record) {
                break
            }
            try {
                # Without a newer match, a seek lands on the last match at or before
                # the bookmark (EvtSeek remarks): never return what was seen already.
                if ($record.RecordId -le $AfterRecordId) {
                    continue
                }
                if ($result.events.Count -ge $MaxEvents) {
                    $result.truncated = $true
                    break
                }
                try {
                    [void]$result.events.Add($record.ToXml())
                }
                catch {
                    [void]$result.record_errors.Add(@{
                            record_id = $record.RecordId
                            error = ConvertTo-TgErrorData -ErrorRecord $_
                        })
                }
            }
            finally {
                $record.Dispose()
            }
        }
    }
    catch {
        # Keep what was read so far; the controller does not move the bookmark past it.
        $result.query_error = ConvertTo-TgErrorData -ErrorRecord $_
    }
    finally {
        if ($null -ne $reader) {
            $reader.Dispose()
        }
    }
    $result
}

Function Get-TgTaskEventMaterial {
    <#
    .SYNOPSIS
    Raw task-event material for the controller (one call per host).

    .PARAMETER EventId
    Task event ids to return; channels without a requested id are not queried.

    .PARAMETER Since
    Bookmark from the previous run: @{ '<channel>' = @{ record_id = N; time = '...Z' } }.

    .PARAMETER MaxEvents
    Upper bound of events returned per channel.
    #>
    param(
        [Parameter(Mandatory = $true)][Int32[]]$EventId,
        $Since = $null,
        [Int32]$MaxEvents = 5000
    )
    $channels = [System.Collections.ArrayList]@()
    foreach ($name in @($script:TgEventChannels.Keys)) {
        $ids = @($script:TgEventChannels[$name] | Where-Object { $EventId -contains $_ })
        if ($ids.Count -eq 0) {
            continue
        }
        $entry = [Ordered]@{
            name = $name
            event_ids = $ids
            config = $null
            config_error = $null
            info = $null
            info_error = $null
            oldest = $null
            newest = $null
            edge_error = $null
            xpath = $null
            bookmark_mode = 'none'
            read_method = 'xpath_filter'
            seek_error = $null
            events = @()
            record_errors = @()
            truncated = $false
            query_error = $null
        }
        try {
            $entry.config = Get-TgEventChannelConfig -Name $name
        }
        catch {
            $entry.config_error = ConvertTo-TgErrorData -ErrorRecord $_
        }
        try {
            $entry.info = Get-TgEventChannelInfo -Name $name
        }
        catch {
            $entry.info_error = ConvertTo-TgErrorData -ErrorRecord $_
        }
        # Newest is read before the query, so a complete query has seen every
        # record up to it (the controller may move the bookmark that far).
        try {
            $entry.oldest = Get-TgEventEdgeRecord -Name $name
            $entry.newest = Get-TgEventEdgeRecord -Name $name -Newest
        }
        catch {
            $entry.edge_error = ConvertTo-TgErrorData -ErrorRecord $_
        }

        $sinceRecordId = $null
        $sinceTime = $null
        # Index syntax: returns $null for a missing key on Hashtable and Dictionary
        # alike, also under StrictMode.
        if ($null -ne $Since -and $null -ne $Since[$name]) {
            $mark = $Since[$name]
            if ($null -ne $mark['record_id']) {
                $sinceRecordId = [Int64]$mark['record_id']
            }
            if ($null -ne $mark['time']) {
                $sinceTime = [String]$mark['time']
            }
        }
        if ($null -ne $sinceRecordId) {
            $entry.bookmark_mode = 'record_id'
            if ($null -ne $entry.newest -and [Int64]$entry.newest['record_id'] -lt $sinceRecordId) {
                # Record numbers went backwards (log cleared or recreated): filter on
                # time instead, or every new event would stay below the bookmark.
                $entry.bookmark_mode = 'time_after_reset'
                $sinceRecordId = $null
            }
        }
        $queryTime = $null
        if ($entry.bookmark_mode -eq 'time_after_reset') {
            $queryTime = $sinceTime
        }
        # Record-id bookmark still inside the channel: seek to it, filter by id only.
        # Any failure falls back to the "EventRecordID > N" filter (same events, but
        # the service may test every record of the channel), and says why.
        $read = $null
        if ($null -ne $sinceRecordId -and $null -ne $entry.oldest -and [Int64]$entry.oldest['record_id'] -le $sinceRecordId) {
            try {
                $bookmark = Get-TgEventBookmarkAt -Name $name -RecordId $sinceRecordId -OldestRecordId ([Int64]$entry.oldest['record_id'])
                if ($null -eq $bookmark) {
                    $entry.seek_error = @{ type = 'taskguard.RecordNotAtPosition'; hresult = 0; message = "record $sinceRecordId is not where its number puts it" }
                }
                else {
                    $xpathIds = New-TgEventXPath -EventId $ids
                    $seekRead = Get-TgEventRecordXml -Name $name -XPath $xpathIds -MaxEvents $MaxEvents -Bookmark $bookmark -AfterRecordId $sinceRecordId
                    if ($null -ne $seekRead.query_error -and $seekRead.events.Count -eq 0) {
                        $entry.seek_error = $seekRead.query_error
                    }
                    else {
                        $entry.xpath = $xpathIds
                        $entry.read_method = 'bookmark_seek'
                        $read = $seekRead
                    }
                }
            }
            catch {
                $entry.seek_error = ConvertTo-TgErrorData -ErrorRecord $_
            }
        }
        try {
            if ($null -eq $read) {
                $entry.xpath = New-TgEventXPath -EventId $ids -SinceRecordId $sinceRecordId -SinceTime $queryTime
                $read = Get-TgEventRecordXml -Name $name -XPath $entry.xpath -MaxEvents $MaxEvents
            }
            $entry.events = @($read.events)
            $entry.record_errors = @($read.record_errors)
            $entry.truncated = $read.truncated
            $entry.query_error = $read.query_error
        }
        catch {
            $entry.query_error = ConvertTo-TgErrorData -ErrorRecord $_
        }
        [void]$channels.Add($entry)
    }
    @{
        event_ids = @($EventId)
        max_events = $MaxEvents
        computer_name = $env:COMPUTERNAME
        channels = @($channels)
    }
}

$exported = @(
    'Get-TgTaskEventMaterial', 'Get-TgEventChannelConfig', 'Get-TgEventChannelInfo',
    'Get-TgEventEdgeRecord', 'Get-TgEventBookmarkAt', 'New-TgEventXPath', 'Get-TgEventRecordXml', 'ConvertTo-TgErrorData'
)
Export-ModuleMember -Function $exported
