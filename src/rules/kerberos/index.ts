import type { Rule } from '../../analyze/types.js';

/** Kerberos-path and IIS-configuration rules. */
export const kerberosRules: Rule[] = [];
