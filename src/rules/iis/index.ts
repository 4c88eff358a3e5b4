import type { Rule } from '../../analyze/types.js';
import { anonymousIdentityMismatch } from './anonymous-identity-mismatch.js';
import { anonymousWithWindowsAuth } from './anonymous-with-windows-auth.js';
import { extendedProtectionOffload } from './extended-protection-offload.js';
import { kerberosOnlyProvider } from './kerberos-only-provider.js';
import { kerberosTokenTooLarge } from './kerberos-token-too-large.js';
import { kernelModePreauth } from './kernel-mode-preauth.js';
import { loopbackCheck } from './loopback-check.js';
import { negotiateDisabled } from './negotiate-disabled.js';
import { noAuthenticationEnabled } from './no-authentication-enabled.js';

/** IIS-configuration rules (authentication sections, registry facts); all need the IIS inventory. */
export const iisRules: Rule[] = [
  negotiateDisabled,
  kerberosOnlyProvider,
  noAuthenticationEnabled,
  anonymousWithWindowsAuth,
  anonymousIdentityMismatch,
  kernelModePreauth,
  loopbackCheck,
  extendedProtectionOffload,
  kerberosTokenTooLarge,
];
