import type { Rule } from '../analyze/types.js';
import { kerberosRules } from './kerberos/index.js';
import { iisRules } from './iis/index.js';
import { accountRules } from './accounts/index.js';

/** The static rule catalogue. Order is the order findings are reported in. */
export const rules: readonly Rule[] = [...kerberosRules, ...iisRules, ...accountRules];
