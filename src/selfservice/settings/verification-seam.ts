import type { Identity, VerifiableAddress } from '../../identity/types.js';
import type { SelfServiceDeps } from '../deps.js';

/** Verifiable addresses the update added (a changed address is a new entry: pending, unverified). */
export function addedAddresses(before: Identity, after: Identity): VerifiableAddress[] {
  const had = new Set(before.verifiableAddresses.map((a) => `${a.via}:${a.value}`));
  return after.verifiableAddresses.filter((a) => !had.has(`${a.via}:${a.value}`));
}

/**
 * SEAM for the verification flow (not built yet): Kratos's automatic verification hook runs here, after
 * the identity is stored and before the configured after-hooks, and mails a code to every added address
 * when `selfservice.flows.verification.enabled`. Until that flow exists the new address simply stays
 * unverified (status `pending`).
 */
export async function verifyChangedAddresses(_deps: SelfServiceDeps, before: Identity, after: Identity): Promise<void> {
  addedAddresses(before, after);
}
