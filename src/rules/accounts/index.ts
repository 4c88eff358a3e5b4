import type { Rule } from '../../analyze/types.js';

/** Account health, encryption and security-exposure rules. */
export const accountRules: Rule[] = [];
