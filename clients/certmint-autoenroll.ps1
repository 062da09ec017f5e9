# certmint-autoenroll.ps1: Windows logon script that gets and renews the logged-on domain user's S/MIME certificate from certmint (PowerShell 5.1 and 7).
#
# Run at logon by Group Policy (docs/autoenroll-windows.md):
#   powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File certmint-autoenroll.ps1
# Each run: reads the user's mail and cn from Active Directory, finds the
# user's current certmint certificate in Cert:\CurrentUser\My and asks
# certmint its status; when it is due (or there is none) makes a new key in
# the user's store with certreq, posts the CSR with the user's Kerberos
# credentials (Invoke-WebRequest -UseDefaultCredentials) and installs the
# answer with certreq -accept. Every step is logged to %TEMP%\autoenroll.log
# with certmint's numbered messages; the exit code is the number:
#   0 success or nothing to do, 1-30 certmint's answer (README, "Auto-enrollment"),
#   101 Cannot open the certificate store   102 No e-mail in AD
#   103 Timeout                             104 Cannot connect
#   105 Authentication error                106 Install error
#   107 Invalid configuration               108 Cannot create the key or CSR
#   109 Unexpected answer from certmint     110 No user name in AD
# The portal fills the @...@ values below when it hands out the script; the
# parameters and CERTMINT_* environment variables override them.
#
# Old certificates and their keys stay in the store after a renewal: the
# user needs them to read mail encrypted to the old certificate.

[CmdletBinding()]
param(
	# certmint's base URL (https://certs.example.com) or the whole endpoint URL
	[string]$Url = '',
	# the customer's URI in certmint (with a base URL)
	[string]$Customer = '',
	# an organisation id; empty: certmint picks it from AD
	[string]$OrgId = '',
	# renew when fewer days than this are left (1-3650)
	[int]$Days = 0,
	# make the private key exportable (a backup of S/MIME keys is usually wanted)
	[switch]$Exportable,
	[int]$KeyLength = 2048,
	[int]$TimeoutSec = 60,
	[string]$LogPath = '',
	# renew even when nothing is due
	[switch]$Force
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$FilledUrl = '@CERTMINT_URL@'
$FilledCustomer = '@CERTMINT_CUSTOMER@'
$FilledOrgId = '@CERTMINT_ORGID@'
$FilledDays = '@CERTMINT_DAYS@'

# The registry key where the serial and issuer of the certificate this
# script installed last are kept (to find it again among the user's others).
$StateKey = 'HKCU:\Software\certmint\Autoenroll'

# Set by New-KeyAndCsr, read by the clean-up after a refusal.
$script:RequestsBefore = @()
$script:InfFile = ''
$script:CsrFile = ''

if (-not $LogPath) { $LogPath = Join-Path $env:TEMP 'autoenroll.log' }

function Write-Log([string]$Message) {
	$line = '{0} {1}' -f (Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'), $Message
	try {
		# Keep the log small: one old generation.
		if ((Test-Path -LiteralPath $LogPath) -and (Get-Item -LiteralPath $LogPath).Length -gt 1048576) {
			Move-Item -LiteralPath $LogPath -Destination ($LogPath + '.old') -Force
		}
		Add-Content -LiteralPath $LogPath -Value $line -Encoding UTF8
	} catch {
		# A log that cannot be written must not stop the enrollment.
	}
	Write-Verbose $line
}

$ClientMessages = @{
	101 = 'Cannot open the certificate store'
	102 = 'No e-mail in AD'
	103 = 'Timeout'
	104 = 'Cannot connect'
	105 = 'Authentication error'
	106 = 'Install error'
	107 = 'Invalid configuration'
	108 = 'Cannot create the key or CSR'
	109 = 'Unexpected answer from certmint'
	110 = 'No user name in AD'
}

# Stop-Enrollment CODE DETAIL: logs "error CODE message: detail" and exits
# with CODE. Server codes (1-30) come with certmint's own message as DETAIL.
function Stop-Enrollment([int]$Code, [string]$Detail) {
	$msg = $Detail
	if ($ClientMessages.ContainsKey($Code)) {
		$msg = $ClientMessages[$Code]
		if ($Detail) { $msg = $msg + ': ' + $Detail }
	}
	Write-Log ('error {0} {1}' -f $Code, $msg)
	exit $Code
}

# A placeholder the portal did not fill (written as a pattern so that the
# portal's substitution leaves this line alone).
function Test-Unfilled([string]$Value) { return ($Value -like '@CERTMINT_*@') }
function Select-Value([string]$Param, [string]$EnvName, [string]$Filled, [string]$Default) {
	if ($Param) { return $Param }
	$e = [Environment]::GetEnvironmentVariable($EnvName)
	if ($e) { return $e }
	if ($Filled -and -not (Test-Unfilled $Filled)) { return $Filled }
	return $Default
}

$Url = Select-Value $Url 'CERTMINT_URL' $FilledUrl ''
$Customer = Select-Value $Customer 'CERTMINT_CUSTOMER' $FilledCustomer ''
$OrgId = Select-Value $OrgId 'CERTMINT_ORGID' $FilledOrgId ''
$daysText = Select-Value $(if ($Days -gt 0) { [string]$Days } else { '' }) 'CERTMINT_DAYS' $FilledDays '30'

Write-Log ('start: user {0}\{1}, PowerShell {2}' -f $env:USERDOMAIN, $env:USERNAME, $PSVersionTable.PSVersion)

# ---- configuration
if (-not $Url) { Stop-Enrollment 107 'no certmint URL (-Url or CERTMINT_URL)' }
if ($Url -match '/autoenroll$') {
	$Endpoint = $Url
} elseif ($Url -match '^https?://') {
	if (-not $Customer) { Stop-Enrollment 107 'no customer (-Customer or CERTMINT_CUSTOMER)' }
	if ($Customer -notmatch '^[A-Za-z0-9._-]+$') { Stop-Enrollment 107 "customer URI '$Customer' has characters a URL path cannot take" }
	$Endpoint = $Url.TrimEnd('/') + '/customer/' + $Customer + '/autoenroll'
} else {
	Stop-Enrollment 107 'the URL must start with http:// or https://'
}
if ($daysText -notmatch '^[0-9]{1,4}$' -or [int]$daysText -lt 1 -or [int]$daysText -gt 3650) {
	Stop-Enrollment 107 'Days must be 1-3650'
}
$Days = [int]$daysText
if ($OrgId -and $OrgId -notmatch '^[0-9]+$') { Stop-Enrollment 107 'OrgId must be a number' }
if ($KeyLength -lt 2048) { Stop-Enrollment 107 'KeyLength must be at least 2048' }

# Windows PowerShell 5.1 on older .NET offers TLS 1.0 only unless told.
if ($PSVersionTable.PSVersion.Major -lt 6) {
	[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
}

# ---- Active Directory: the logged-on user's mail and cn (what certmint
# checks the CSR against).
function Get-AdUserInfo {
	try {
		$name = $env:USERNAME -replace '\\', '\5c' -replace '\*', '\2a' -replace '\(', '\28' -replace '\)', '\29'
		$searcher = [adsisearcher]"(&(objectCategory=person)(objectClass=user)(sAMAccountName=$name))"
		[void]$searcher.PropertiesToLoad.Add('mail')
		[void]$searcher.PropertiesToLoad.Add('cn')
		$searcher.ClientTimeout = New-Object TimeSpan(0, 0, $TimeoutSec)
		$found = $searcher.FindOne()
	} catch {
		Stop-Enrollment 104 ('cannot search Active Directory: ' + $_.Exception.Message)
	}
	if ($null -eq $found) { Stop-Enrollment 102 "user $env:USERNAME not found in AD" }
	$mail = ''
	$cn = ''
	# The result's property names are lower case; an absent one is absent.
	if ($found.Properties.Contains('mail') -and $found.Properties['mail'].Count -gt 0) { $mail = [string]$found.Properties['mail'][0] }
	if ($found.Properties.Contains('cn') -and $found.Properties['cn'].Count -gt 0) { $cn = [string]$found.Properties['cn'][0] }
	if (-not $mail) { Stop-Enrollment 102 "the AD account $env:USERNAME has no mail attribute" }
	if (-not $cn) { Stop-Enrollment 110 "the AD account $env:USERNAME has no cn" }
	Write-Log "AD: mail $mail, cn $cn"
	return @{ Mail = $mail; Cn = $cn }
}

# ---- certmint: one POST; returns Status, Code, Message, Fields (the
# key=value lines), Headers and File (the body saved to disk).
function Get-Header($Headers, [string]$Name) {
	if ($null -eq $Headers) { return '' }
	$v = $Headers[$Name]
	if ($null -eq $v) { return '' }
	if ($v -is [array]) { $v = $v[0] }
	return [string]$v
}

function Invoke-Certmint([string]$Action, [string]$Serial, [string]$Csr) {
	$body = @{ action = $Action; days = [string]$Days; format = 'pkcs7' }
	if ($OrgId) { $body.orgid = $OrgId }
	if ($Serial) { $body.serial = $Serial }
	if ($Csr) { $body.csr = $Csr }
	$out = Join-Path $env:TEMP ('certmint-autoenroll-' + [guid]::NewGuid().ToString() + '.bin')
	$params = @{
		Uri = $Endpoint; Method = 'Post'; Body = $body; UseDefaultCredentials = $true
		UseBasicParsing = $true; TimeoutSec = $TimeoutSec; OutFile = $out; PassThru = $true
		ContentType = 'application/x-www-form-urlencoded'
	}
	# PowerShell 7 hands HTTP errors back as answers; 5.1 throws them.
	if ($PSVersionTable.PSVersion.Major -ge 7) { $params.SkipHttpErrorCheck = $true }
	Write-Log ("POST $Endpoint action=$Action" + $(if ($Serial) { " serial=$Serial" } else { '' }) + " days=$Days")
	$status = 0
	$headers = $null
	$text = ''
	try {
		$r = Invoke-WebRequest @params
		$status = [int]$r.StatusCode
		$headers = $r.Headers
	} catch {
		$e = $_.Exception
		$type = $e.GetType().FullName
		if ($type -eq 'System.Net.WebException' -and $null -ne $e.Response) {
			# 5.1: an HTTP error status; the answer is in the exception.
			$status = [int]$e.Response.StatusCode
			$headers = $e.Response.Headers
			try {
				$reader = New-Object IO.StreamReader($e.Response.GetResponseStream())
				$text = $reader.ReadToEnd()
				$reader.Close()
			} catch { $text = '' }
		} elseif ($type -eq 'System.Net.WebException') {
			if ([string]$e.Status -eq 'Timeout') { Stop-Enrollment 103 "no answer from $Endpoint within $TimeoutSec s" }
			Stop-Enrollment 104 ("$Endpoint" + ': ' + $e.Message)
		} elseif ($type -match 'TaskCanceled|OperationCanceled|Timeout' -or
			($null -ne $e.InnerException -and $e.InnerException.GetType().FullName -match 'Timeout')) {
			Stop-Enrollment 103 "no answer from $Endpoint within $TimeoutSec s"
		} else {
			Stop-Enrollment 104 ("$Endpoint" + ': ' + $e.Message)
		}
	}
	if (-not $text -and (Test-Path -LiteralPath $out)) {
		# Anything but a certificate is certmint's key=value text.
		$ctype = Get-Header $headers 'Content-Type'
		if ($ctype -notlike 'application/pkcs7*' -and $ctype -notlike 'application/pem*' -and
			(Get-Item -LiteralPath $out).Length -lt 65536) {
			$text = [IO.File]::ReadAllText($out, [Text.Encoding]::UTF8)
		}
	}
	$fields = @{}
	foreach ($line in ($text -split "`r?`n")) {
		$i = $line.IndexOf('=')
		if ($i -gt 0) { $fields[$line.Substring(0, $i)] = $line.Substring($i + 1) }
	}
	$codeText = Get-Header $headers 'X-Autoenroll-Code'
	if (-not $codeText -and $fields.ContainsKey('code')) { $codeText = $fields['code'] }
	if ($codeText -notmatch '^[0-9]+$') {
		Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue
		# No certmint answer: Apache refused the Kerberos ticket (or none was sent).
		if ($status -eq 401) { Stop-Enrollment 105 "HTTP 401 from $Endpoint (no Kerberos ticket for the HTTP service? see klist)" }
		Stop-Enrollment 109 "HTTP $status without X-Autoenroll-Code from $Endpoint"
	}
	$message = ''
	if ($fields.ContainsKey('message')) { $message = $fields['message'] }
	Write-Log ("answer HTTP $status code $codeText" + $(if ($message) { " ($message)" } else { '' }))
	return @{ Status = $status; Code = [int]$codeText; Message = $message; Fields = $fields; Headers = $headers; File = $out }
}

# Stop on certmint's refusal, with its number and message.
function Assert-Success($Answer) {
	if ($Answer.Code -ne 0) {
		Remove-Item -LiteralPath $Answer.File -ErrorAction SilentlyContinue
		$m = $Answer.Message
		if (-not $m) { $m = 'certmint answered code ' + $Answer.Code }
		Stop-Enrollment $Answer.Code $m
	}
}

# ---- the user's certificate store
try {
	$store = @(Get-ChildItem -Path 'Cert:\CurrentUser\My' -ErrorAction Stop)
} catch {
	Stop-Enrollment 101 $_.Exception.Message
}

$ad = Get-AdUserInfo

# Serials compared as numbers: upper case, without leading zeros (Windows
# shows the DER bytes, with a leading 00 when the high bit is set).
function Format-Serial([string]$Serial) {
	$s = $Serial.ToUpper().TrimStart('0')
	if (-not $s) { $s = '0' }
	return $s
}

# The certificate we hold: the one this script installed last (by serial),
# else the newest one with a key for the user's AD e-mail from the issuer
# recorded then.
$state = $null
try { $state = Get-ItemProperty -Path $StateKey -ErrorAction Stop } catch { $state = $null }
$held = $null
if ($null -ne $state -and $state.PSObject.Properties['Serial']) {
	$held = $store | Where-Object { (Format-Serial $_.SerialNumber) -eq (Format-Serial $state.Serial) -and $_.HasPrivateKey } |
		Select-Object -First 1
}
if ($null -eq $held -and $null -ne $state -and $state.PSObject.Properties['Issuer']) {
	$held = $store | Where-Object {
		$_.HasPrivateKey -and $_.Issuer -eq $state.Issuer -and
		$_.GetNameInfo([Security.Cryptography.X509Certificates.X509NameType]::EmailName, $false) -eq $ad.Mail
	} | Sort-Object NotAfter -Descending | Select-Object -First 1
}

function New-KeyAndCsr {
	# certreq's INF: the key is made and kept in the user's store (a pending
	# request in Cert:\CurrentUser\REQUEST until certreq -accept).
	$cn = $ad.Cn
	if ($cn -match '[,+="<>#;\\]') { $cn = '"' + ($cn -replace '"', '""') + '"' }
	$subject = ('CN={0}, E={1}' -f $cn, $ad.Mail) -replace '"', '""'
	$exportable = if ($Exportable) { 'TRUE' } else { 'FALSE' }
	$inf = @(
		'[Version]'
		'Signature="$Windows NT$"'
		'[NewRequest]'
		('Subject = "{0}"' -f $subject)
		('KeyLength = {0}' -f $KeyLength)
		'KeySpec = 1'            # AT_KEYEXCHANGE: the key signs and decrypts (S/MIME)
		'KeyUsage = 0xA0'        # digitalSignature, keyEncipherment
		('Exportable = {0}' -f $exportable)
		'MachineKeySet = FALSE'  # the user's key, not the computer's
		'ProviderName = "Microsoft Enhanced RSA and AES Cryptographic Provider"'
		'ProviderType = 24'
		'RequestType = PKCS10'
		'HashAlgorithm = sha256'
		'SMIME = TRUE'
		'[EnhancedKeyUsageExtension]'
		'OID = 1.3.6.1.5.5.7.3.4' # emailProtection
		'OID = 1.3.6.1.5.5.7.3.2' # clientAuth
		'[Extensions]'
		'2.5.29.17 = "{text}"'
		('_continue_ = "email={0}"' -f $ad.Mail)
	)
	$base = Join-Path $env:TEMP ('certmint-autoenroll-' + [guid]::NewGuid().ToString())
	$script:InfFile = $base + '.inf'
	$script:CsrFile = $base + '.csr'
	Set-Content -LiteralPath $script:InfFile -Value $inf -Encoding Unicode
	$script:RequestsBefore = @(Get-ChildItem -Path 'Cert:\CurrentUser\REQUEST' -ErrorAction SilentlyContinue | ForEach-Object { $_.Thumbprint })
	$outText = & certreq.exe -new -q -user $script:InfFile $script:CsrFile 2>&1
	if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $script:CsrFile)) {
		Stop-Enrollment 108 ("certreq -new failed ($LASTEXITCODE): " + (($outText | Out-String).Trim()))
	}
	Write-Log ("new RSA-$KeyLength key (exportable $exportable) and CSR for CN=" + $ad.Cn + ', E=' + $ad.Mail)
	return [IO.File]::ReadAllText($script:CsrFile)
}

# A refused request leaves a pending key in the REQUEST store: remove it.
function Remove-PendingRequest {
	try {
		Get-ChildItem -Path 'Cert:\CurrentUser\REQUEST' -ErrorAction Stop |
			Where-Object { $script:RequestsBefore -notcontains $_.Thumbprint } |
			ForEach-Object { Remove-Item -LiteralPath $_.PSPath -DeleteKey -ErrorAction SilentlyContinue }
	} catch { }
}

function Remove-TempFiles([string[]]$Files) {
	foreach ($f in $Files) { if ($f) { Remove-Item -LiteralPath $f -ErrorAction SilentlyContinue } }
}

# Enroll or renew: new key and CSR, POST, certreq -accept.
function Request-Certificate([string]$Action, [string]$Serial) {
	$csr = New-KeyAndCsr
	$a = Invoke-Certmint $Action $Serial $csr
	if ($a.Code -ne 0) {
		Remove-PendingRequest
		Remove-TempFiles @($script:InfFile, $script:CsrFile)
	}
	Assert-Success $a
	$result = Get-Header $a.Headers 'X-Autoenroll-Result'
	if ($result -ne 'issued' -and $result -ne 'renewed') {
		Remove-PendingRequest
		Remove-TempFiles @($script:InfFile, $script:CsrFile, $a.File)
		if ($a.Fields['result'] -eq 'valid') {
			Write-Log ('nothing to do: ' + $a.Fields['days_left'] + ' days left')
			return
		}
		Stop-Enrollment 109 "code 0 without a certificate (result '$result')"
	}
	$serial = Get-Header $a.Headers 'X-Autoenroll-Serial'
	$p7b = [IO.Path]::ChangeExtension($a.File, '.p7b')
	Move-Item -LiteralPath $a.File -Destination $p7b -Force
	$outText = & certreq.exe -accept -q -user $p7b 2>&1
	$rc = $LASTEXITCODE
	Remove-TempFiles @($script:InfFile, $script:CsrFile, $p7b)
	if ($rc -ne 0) { Stop-Enrollment 106 ("certreq -accept failed ($rc): " + (($outText | Out-String).Trim())) }
	$new = $null
	$want = Format-Serial $serial
	try {
		$new = Get-ChildItem -Path 'Cert:\CurrentUser\My' -ErrorAction Stop |
			Where-Object { (Format-Serial $_.SerialNumber) -eq $want -and $_.HasPrivateKey } | Select-Object -First 1
	} catch { Stop-Enrollment 101 $_.Exception.Message }
	if ($null -eq $new) { Stop-Enrollment 106 "certificate $serial is not in Cert:\CurrentUser\My with its key after certreq -accept" }
	try {
		if (-not (Test-Path $StateKey)) { [void](New-Item -Path $StateKey -Force) }
		Set-ItemProperty -Path $StateKey -Name Serial -Value $new.SerialNumber
		Set-ItemProperty -Path $StateKey -Name Issuer -Value $new.Issuer
	} catch {
		Write-Log ('cannot record the serial in ' + $StateKey + ': ' + $_.Exception.Message)
	}
	Write-Log ("installed: $result, serial $serial, not after " + $new.NotAfter.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ'))
}

if ($null -eq $held) {
	Write-Log 'no certmint certificate in Cert:\CurrentUser\My: enrolling'
	Request-Certificate 'enroll' ''
} elseif ($Force) {
	Write-Log ('-Force: renewing ' + $held.SerialNumber)
	$Days = 3650   # past any validity: certmint renews whatever is left
	Request-Certificate 'renew' (Format-Serial $held.SerialNumber)
} else {
	# Windows shows the serial's DER bytes: a leading 00 (when the high bit
	# is set) would make 34 digits, more than certmint's 16-byte serials.
	$s = Invoke-Certmint 'status' (Format-Serial $held.SerialNumber) ''
	Remove-TempFiles @($s.File)
	if ($s.Code -eq 25) {
		# certmint does not know this certificate (any more): start afresh.
		Write-Log ('certmint has no certificate ' + $held.SerialNumber + ' for this user: enrolling')
		Request-Certificate 'enroll' ''
	} else {
		Assert-Success $s
		switch ($s.Fields['result']) {
			'valid' { Write-Log ('nothing to do: ' + $s.Fields['days_left'] + ' days left (not after ' + $s.Fields['not_after'] + ')') }
			'due' {
				Write-Log ('due: ' + $s.Fields['days_left'] + ' days left, renewing ' + $held.SerialNumber)
				Request-Certificate 'renew' (Format-Serial $held.SerialNumber)
			}
			default { Stop-Enrollment 109 ("status answered result '" + $s.Fields['result'] + "'") }
		}
	}
}
Write-Log 'done'
exit 0
