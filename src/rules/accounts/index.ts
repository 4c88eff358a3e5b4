import type { Rule } from '../../analyze/types.js';
import { accountUnusableRule } from './account-unusable.js';
import { aesKeysMissingRule } from './aes-keys-missing.js';
import { delegationOnWrongAccountRule } from './delegation-on-wrong-account.js';
import { delegationToMissingSpnRule } from './delegation-to-missing-spn.js';
import { desOnlyRule } from './des-only.js';
import { enctypesUnsetRule } from './enctypes-unset.js';
import { gmsaNotRetrievableRule } from './gmsa-not-retrievable.js';
import { identityNotFoundRule } from './identity-not-found.js';
import { kerberoastableUserRule } from './kerberoastable-user.js';
import { passwordChangeRequiredRule } from './password-change-required.js';
import { preauthNotRequiredRule } from './preauth-not-required.js';
import { protocolTransitionRule } from './protocol-transition.js';
import { rc4OnlyRule } from './rc4-only.js';
import { spnUniquenessDisabledRule } from './spn-uniqueness-disabled.js';
import { unconstrainedDelegationRule } from './unconstrained-delegation.js';

/** Account health, encryption and security-exposure rules, in report order. */
export const accountRules: Rule[] = [
  // Account health of SPN holders and pool identities.
  identityNotFoundRule,
  accountUnusableRule,
  passwordChangeRequiredRule,
  gmsaNotRetrievableRule,
  // Encryption.
  desOnlyRule,
  rc4OnlyRule,
  aesKeysMissingRule,
  enctypesUnsetRule,
  // Security exposure.
  kerberoastableUserRule,
  unconstrainedDelegationRule,
  delegationToMissingSpnRule,
  delegationOnWrongAccountRule,
  protocolTransitionRule,
  spnUniquenessDisabledRule,
  preauthNotRequiredRule,
];
