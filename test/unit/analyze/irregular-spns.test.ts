import { describe, expect, it } from 'vitest';
import { createRuleContext } from '../../../src/analyze/context.js';
import { irregularSpns } from '../../../src/analyze/irregular-spns.js';
import { account, snapshot } from '../../support/fixtures.js';

describe('irregularSpns', () => {
  it('lists exactly the values isCleanPlainSpn cannot vouch for, in account order, once per context', () => {
    const b = account({ sam: 'b_svc', spns: ['HTTP/web01', 'HTTP/web01:8080', 'MSSQLSvc/sql01:1433'] });
    const a = account({ sam: 'a_svc', spns: ['HTTPS/web02', 'HTTP/web02.contoso.test', ' HTTP/web03', 'HTTP/10.0.0.5'] });
    const ctx = createRuleContext(snapshot({ accounts: [b, a] }), null);
    const list = irregularSpns(ctx);
    expect(list.map((x) => [x.account.sAMAccountName, x.spn])).toEqual([
      ['a_svc', 'HTTPS/web02'],
      ['a_svc', ' HTTP/web03'],
      ['a_svc', 'HTTP/10.0.0.5'],
      ['b_svc', 'HTTP/web01:8080'],
      ['b_svc', 'MSSQLSvc/sql01:1433'],
    ]);
    expect(irregularSpns(ctx)).toBe(list);
  });
});
