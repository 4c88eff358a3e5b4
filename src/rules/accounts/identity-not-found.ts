import { manualFix } from '../../analyze/fixes.js';
import { makeFinding } from '../../analyze/findings.js';
import type { Rule } from '../../analyze/types.js';
import type { Finding } from '../../model/finding.js';
import { resolvePoolIdentity, specificUserPools } from './scope.js';

export const identityNotFoundRule: Rule = {
  id: 'identity-not-found',
  severity: 'error',
  category: 'account',
  title: 'Application pool identity not found in the directory',
  why:
    'A SpecificUser pool whose userName matches no account in scope cannot log on: the pool stops and its sites answer 503 Service Unavailable. A name ending in $ is a gMSA/MSA; a computer account of that name does not count, because IIS cannot use a computer\'s password.',
  docs: 'docs/rules/identity-not-found.md',
  needsInventory: true,
  check(ctx) {
    const findings: Finding[] = [];
    for (const use of specificUserPools(ctx)) {
      const { server, pool } = use;
      const resolved = resolvePoolIdentity(ctx, use);
      if (resolved.status === 'found' || resolved.status === 'local') continue;
      const userName = pool.userName ?? '';
      const subject = { account: userName, server: server.name, appPool: pool.name };
      const key = [server.name, pool.name, userName];
      const fixCommand = `Set the identity of pool "${pool.name}" on ${server.name} to an existing account (IIS Manager > Application Pools > Advanced Settings > Identity), or create the account "${userName}".`;
      if (resolved.status === 'out-of-scope') {
        findings.push(
          makeFinding(identityNotFoundRule, {
            severity: 'info',
            message: `Pool "${pool.name}" on ${server.name} runs as ${userName}, in domain ${resolved.domain}, which is not in the audit scope: whether the account exists was not checked.`,
            subject,
            evidence: { userName, domain: resolved.domain, inScope: false },
            fixes: [manualFix(`Add ${resolved.domain} to the audit scope to check this identity.`)],
            key,
            location: pool.pos,
          }),
        );
        continue;
      }
      const computerNote =
        resolved.status === 'computer'
          ? ` Only the computer account ${ctx.displayName(resolved.computer)} has that name, and a pool cannot run as a computer account: a name ending in $ must be a gMSA or MSA.`
          : '';
      const incomplete = ctx.snapshot.complete ? '' : ' (the directory snapshot is incomplete, so the account may exist in a part that was not read)';
      findings.push(
        makeFinding(identityNotFoundRule, {
          message: `Pool "${pool.name}" on ${server.name} runs as ${userName}, which matches no ${userName.trim().endsWith('$') ? 'gMSA or MSA' : 'account'} in scope${incomplete}: IIS cannot log the pool on, so it stops and its sites answer 503 Service Unavailable.${computerNote}`,
          subject,
          evidence: {
            userName,
            domain: pool.identity?.domain ?? null,
            matchedComputer: resolved.status === 'computer' ? ctx.displayName(resolved.computer) : null,
            snapshotComplete: ctx.snapshot.complete,
          },
          fixes: [manualFix(fixCommand)],
          key,
          location: pool.pos,
        }),
      );
    }
    return findings;
  },
};
