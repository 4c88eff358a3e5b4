/**
 * The SPN values of a context that need a closer look: those isCleanPlainSpn cannot vouch for
 * (ports, instances, odd characters, IPv4 hosts, HTTPS/, trailing dots). In a real directory that
 * is a small minority, so the rules that judge SPN syntax scan this list instead of every SPN again.
 */
import type { Account } from '../model/directory.js';
import { isCleanPlainSpn } from './spn.js';
import type { RuleContext } from './types.js';

export interface AccountSpn {
  account: Account;
  spn: string;
}

/** In the context's account order, each account's values in stored order. Computed once per context. */
export function irregularSpns(ctx: RuleContext): readonly AccountSpn[] {
  let list = memo.get(ctx);
  if (!list) {
    const found: AccountSpn[] = [];
    for (const account of ctx.snapshot.accounts) {
      for (const spn of account.servicePrincipalNames) if (!isCleanPlainSpn(spn)) found.push({ account, spn });
    }
    list = Object.freeze(found);
    memo.set(ctx, list);
  }
  return list;
}

const memo = new WeakMap<RuleContext, readonly AccountSpn[]>();
