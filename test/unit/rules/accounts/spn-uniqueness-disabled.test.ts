import { describe, expect, it } from 'vitest';
import { spnUniquenessDisabledRule, uniquenessFlags } from '../../../../src/rules/accounts/spn-uniqueness-disabled.js';
import { forest, snapshot } from '../../../support/fixtures.js';
import { ruleTester } from '../../../support/rule-tester.js';

const withHeuristics = (dsHeuristics: string | null) => ({ snapshot: snapshot({ forests: [forest({ dsHeuristics })] }) });
const DN = "'CN=Directory Service,CN=Windows NT,CN=Services,CN=Configuration,DC=contoso,DC=test'";
const fix = (value: string) => `Set-ADObject -Identity ${DN} -Replace @{dSHeuristics='${value}'} -Server 'contoso.test'`;

describe('uniquenessFlags (the 21st dSHeuristics character)', () => {
  it.each([
    [null, null],
    ['', null],
    ['00000000010000000002', null], // 20 characters: the 21st is absent, default on
    ['000000000100000000020', 0],
    ['000000000100000000022', 2],
    ['000000000100000000027', 7],
    ['000000000100000000021000', 1],
    ['00000000010000000002x', null],
  ])('%j → %j', (value, expected) => {
    expect(uniquenessFlags(value)).toBe(expected);
  });
});

ruleTester(spnUniquenessDisabledRule).run({
  valid: [
    { name: 'dSHeuristics not set', input: withHeuristics(null) },
    { name: 'edge: shorter than 21 characters means the default (checks on)', input: withHeuristics('0000000001000000000') },
    { name: '21st character 0', input: withHeuristics('000000000100000000020') },
  ],
  invalid: [
    {
      name: '&2: SPN uniqueness off is an error',
      input: withHeuristics('000000000100000000022'),
      findings: [
        {
          severity: 'error',
          subject: { domain: 'contoso.test' },
          message: 'SPN uniqueness checking is off',
          evidence: { flags: 2, disabledChecks: ['spn-uniqueness'] },
          fixes: [fix('000000000100000000020')],
          fixKinds: ['manual'],
        },
      ],
    },
    {
      name: '&4: alias check off is a warning; other characters (e.g. after position 21) are kept',
      input: withHeuristics('0000000001000000000241'),
      findings: [{ severity: 'warning', subject: { domain: 'contoso.test' }, evidence: { disabledChecks: ['spn-alias'] }, fixes: [fix('0000000001000000000201')] }],
    },
    {
      name: '&1: UPN only is info',
      input: withHeuristics('000000000100000000021'),
      findings: [{ severity: 'info', subject: { domain: 'contoso.test' }, message: 'UPNs only', fixes: [fix('000000000100000000020')] }],
    },
    {
      name: 'edge: 7 = all three bits: one finding at the worst severity listing all',
      input: withHeuristics('000000000100000000027'),
      findings: [
        {
          severity: 'error',
          subject: { domain: 'contoso.test' },
          evidence: { flags: 7, disabledChecks: ['spn-uniqueness', 'spn-alias', 'upn-uniqueness'] },
          fixes: [fix('000000000100000000020')],
        },
      ],
    },
  ],
});
