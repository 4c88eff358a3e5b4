/** Shared by the plan script tests and the hostile-pipeline suite, so both check the same lines. */
/** The plan scripts' own lines (preamble, footer, verification): no value ever appears in them. */
export const FIXED_LINES: Record<'cmd' | 'powershell' | 'sh', ReadonlySet<string>> = {
  cmd: new Set([
    '@echo off',
    'setlocal EnableExtensions DisableDelayedExpansion',
    'echo spnaudit plan: all steps done.',
    'exit /b 0',
    ':failed',
    'echo spnaudit plan: FAILED at the command above; later steps were not run. 1>&2',
    'exit /b 1',
    'setspn -X -F',
  ]),
  powershell: new Set([
    '#Requires -Modules ActiveDirectory',
    '#Requires -Modules WebAdministration',
    '[CmdletBinding(SupportsShouldProcess = $true)]',
    'param()',
    "$ErrorActionPreference = 'Stop'",
    'Import-Module WebAdministration',
    "Write-Host 'spnaudit plan: all steps done.'",
    'setspn -X -F',
  ]),
  sh: new Set([
    '#!/bin/sh',
    'set -eu',
    ': "${SPNAUDIT_SAMBA_URL:?set SPNAUDIT_SAMBA_URL to the domain controller, e.g. ldap://dc1.contoso.test}"',
    ': "${SPNAUDIT_SAMBA_USER:?set SPNAUDIT_SAMBA_USER, e.g. Administrator@CONTOSO.TEST}"',
    'spnaudit_samba_tool() {',
    '  if [ "${SPNAUDIT_DRY_RUN:-}" = 1 ]; then',
    "    printf 'would run: samba-tool'; printf ' [%s]' \"$@\"; printf '\\n'",
    '  else',
    '    samba-tool "$@" -H "$SPNAUDIT_SAMBA_URL" -U "$SPNAUDIT_SAMBA_USER"',
    '  fi',
    '}',
    "echo 'spnaudit plan: all steps done.'",
  ]),
};
