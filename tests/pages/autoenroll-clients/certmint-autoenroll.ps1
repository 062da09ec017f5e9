# Placeholder for clients/certmint-autoenroll.ps1 (tests/pages/53-kerberos-realms.sh fills it through the portal).
param([string]$Url = '@CERTMINT_URL@', [string]$Customer = '@CERTMINT_CUSTOMER@',
      [string]$OrgId = '@CERTMINT_ORGID@', [int]$Days = '@CERTMINT_DAYS@')
Write-Output "$Url $Customer $OrgId $Days"
