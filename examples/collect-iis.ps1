<#
.SYNOPSIS
    Export this IIS server's applicationHost.config, without secrets, plus the machine facts spnaudit needs.

.DESCRIPTION
    Run on each IIS server (elevated: applicationHost.config is readable by Administrators only).
    Writes, under -OutputPath:

        <SERVER>\applicationHost.config   a copy of %windir%\System32\inetsrv\config\applicationHost.config with
                                          <configProtectedData> removed, every password / encrypted ([enc:...:enc])
                                          attribute value removed, and the content of encrypted sections dropped
        <SERVER>\server.json              NetBIOS name, FQDN, AD domain, IIS version and registry facts:
                                          BackConnectionHostNames, DisableLoopbackCheck, HTTP.sys MaxFieldLength and
                                          MaxRequestBytes

    Copy the <SERVER> folders of all servers into one folder and point spnaudit at it:
        spnaudit iis .\iis-export --config spnaudit.yaml

    Nothing is sent anywhere; the script only reads the local configuration and registry. Check the output
    before it leaves the server if your policy requires it.

.PARAMETER OutputPath
    Folder to write <SERVER>\ into. Default: .\iis-export

.PARAMETER ConfigPath
    The applicationHost.config to export. Default: the server's own.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File .\collect-iis.ps1 -OutputPath \\fileserver\spnaudit\iis
#>
[CmdletBinding()]
param(
    [string]$OutputPath = (Join-Path (Get-Location) 'iis-export'),
    [string]$ConfigPath = (Join-Path $env:windir 'System32\inetsrv\config\applicationHost.config')
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# Attribute names whose values are secrets wherever they appear (processModel, virtualDirectory, anonymous auth, ...).
$SecretAttributes = @('password', 'sessionKey', 'connectionString')

function Read-RegistryValue([string]$Path, [string]$Name) {
    $item = Get-ItemProperty -Path $Path -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $item) { return $null }
    return $item.$Name
}

# --- Load the config without resolving DTDs or external entities --------------------------------------------------
$settings = New-Object System.Xml.XmlReaderSettings
$settings.DtdProcessing = [System.Xml.DtdProcessing]::Prohibit
$settings.XmlResolver = $null
$reader = [System.Xml.XmlReader]::Create($ConfigPath, $settings)
try {
    $doc = New-Object System.Xml.XmlDocument
    $doc.PreserveWhitespace = $true
    $doc.XmlResolver = $null
    $doc.Load($reader)
} finally {
    $reader.Close()
}

# --- Strip secrets ------------------------------------------------------------------------------------------------
# 1. <configProtectedData> holds key containers and provider settings: never exported.
foreach ($node in @($doc.SelectNodes('//configProtectedData'))) {
    [void]$node.ParentNode.RemoveChild($node)
}
# 2. Encrypted sections: keep the element and its configProtectionProvider attribute (spnaudit reports the section as
#    encrypted) but drop the cipher text.
foreach ($node in @($doc.SelectNodes('//*[@configProtectionProvider]'))) {
    foreach ($child in @($node.ChildNodes)) { [void]$node.RemoveChild($child) }
}
# 3. Password-like attributes and any encrypted attribute value, anywhere in the file.
foreach ($element in @($doc.SelectNodes('//*[@*]'))) {
    foreach ($attribute in @($element.Attributes)) {
        $isSecretName = $SecretAttributes -contains $attribute.LocalName
        $isEncrypted = $attribute.Value.TrimStart().StartsWith('[enc:')
        if ($isSecretName -or $isEncrypted) { [void]$element.Attributes.Remove($attribute) }
    }
}

# --- Machine facts ------------------------------------------------------------------------------------------------
$computer = Get-CimInstance -ClassName Win32_ComputerSystem
$netbios = $env:COMPUTERNAME.ToUpperInvariant()
$domain = $null
$fqdn = $null
if ($computer.PartOfDomain) {
    $domain = $computer.Domain.ToLowerInvariant()
    $fqdn = ('{0}.{1}' -f $computer.DNSHostName, $computer.Domain).ToLowerInvariant()
}

$inetStp = 'HKLM:\SOFTWARE\Microsoft\InetStp'
$major = Read-RegistryValue $inetStp 'MajorVersion'
$minor = Read-RegistryValue $inetStp 'MinorVersion'
$iisVersion = if ($null -ne $major) { '{0}.{1}' -f $major, $(if ($null -ne $minor) { $minor } else { 0 }) } else { $null }

# A missing value is written as collected-and-absent ([] / false), so spnaudit can tell it from "not collected".
$backConnection = Read-RegistryValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa\MSV1_0' 'BackConnectionHostNames'
$loopback = Read-RegistryValue 'HKLM:\SYSTEM\CurrentControlSet\Control\Lsa' 'DisableLoopbackCheck'
$httpParameters = 'HKLM:\SYSTEM\CurrentControlSet\Services\HTTP\Parameters'
$maxFieldLength = Read-RegistryValue $httpParameters 'MaxFieldLength'
$maxRequestBytes = Read-RegistryValue $httpParameters 'MaxRequestBytes'

$facts = [ordered]@{
    netbios     = $netbios
    fqdn        = $fqdn
    domain      = $domain
    iisVersion  = $iisVersion
    registry    = [ordered]@{
        backConnectionHostNames = [string[]]@($backConnection | Where-Object { $_ -and $_.Trim() } | ForEach-Object { $_.Trim() })
        disableLoopbackCheck    = ($null -ne $loopback -and [int]$loopback -ne 0)
        # null = not set: HTTP.sys uses its defaults (16384 bytes each).
        maxFieldLength          = $(if ($null -ne $maxFieldLength) { [int64]$maxFieldLength } else { $null })
        maxRequestBytes         = $(if ($null -ne $maxRequestBytes) { [int64]$maxRequestBytes } else { $null })
    }
    collectedAt = (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
    collector   = 'collect-iis.ps1'
}

# --- Write <OutputPath>\<SERVER>\ --------------------------------------------------------------------------------
$serverFolder = Join-Path $OutputPath $netbios
New-Item -ItemType Directory -Force -Path $serverFolder | Out-Null
$utf8 = New-Object System.Text.UTF8Encoding($false)

$configOut = Join-Path $serverFolder 'applicationHost.config'
$writerSettings = New-Object System.Xml.XmlWriterSettings
$writerSettings.Encoding = $utf8
$writer = [System.Xml.XmlWriter]::Create($configOut, $writerSettings)
try { $doc.Save($writer) } finally { $writer.Close() }

$jsonOut = Join-Path $serverFolder 'server.json'
[System.IO.File]::WriteAllText($jsonOut, ($facts | ConvertTo-Json -Depth 4), $utf8)

Write-Host "Wrote $configOut"
Write-Host "Wrote $jsonOut"
