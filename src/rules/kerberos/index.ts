import type { Rule } from '../../analyze/types.js';
import { cnameBinding } from './cname-binding.js';
import { duplicateSpn } from './duplicate-spn.js';
import { duplicateSpnCrossForest } from './duplicate-spn-cross-forest.js';
import { farmInconsistentIdentity } from './farm-inconsistent-identity.js';
import { hostAliasConflict } from './host-alias-conflict.js';
import { hostSharedByIdentities } from './host-shared-by-identities.js';
import { kernelModeNeedsAppPoolCredentials } from './kernel-mode-needs-app-pool-credentials.js';
import { malformedSpn } from './malformed-spn.js';
import { missingSpn } from './missing-spn.js';
import { missingSpnVariant } from './missing-spn-variant.js';
import { portInSpn } from './port-in-spn.js';
import { spnOnWrongAccount } from './spn-on-wrong-account.js';

/** Kerberos-path rules (SPN index and the IIS decrypting-account model). */
export const kerberosRules: Rule[] = [
  duplicateSpn,
  duplicateSpnCrossForest,
  hostAliasConflict,
  malformedSpn,
  missingSpn,
  missingSpnVariant,
  spnOnWrongAccount,
  kernelModeNeedsAppPoolCredentials,
  hostSharedByIdentities,
  farmInconsistentIdentity,
  cnameBinding,
  portInSpn,
];
