import { PortaError } from '../errors.js';

// Identities, their schemas and credentials (admin API and what the flows check of an identity).

export const errIdentityConflictOnCreate = () => new PortaError(409, { reason: 'This identity conflicts with another identity that already exists.' });
export const errIdentityConflictOnUpdate = () =>
  new PortaError(409, { message: 'Unable to insert or update resource because a resource with that value exists already' });
export const errNoCredentialToRemove = (type: string) =>
  new PortaError(404, { reason: `You tried to remove a ${type} but this user have no ${type} set up.` });
export const errNulInIdentity = () => new PortaError(400, { reason: 'The identity contains a NUL character in a field that cannot hold one.' });
export const errUnmarshalIdentity = (jsonType: string, field: string, goType: string) =>
  new PortaError(400, { message: `json: cannot unmarshal ${jsonType} into Go struct field Identity.${field} of type ${goType}` });
export const errSchemaUnavailable = (id: string) => new PortaError(400, { reason: `The identity schema "${id}" is not available for self-service flows.` });
export const errIdentityNotFound = () => new PortaError(404, { reason: 'could not find identity' });

/** A disabled identity tries to sign in; flows render it as message 4010011 (the type says which error it is). */
export class IdentityDisabledError extends PortaError {
  constructor() {
    super(400, { id: 'identity_disabled', reason: 'This account was disabled.', message: 'identity is disabled' });
  }
}
export const errIdentityDisabled = () => new IdentityDisabledError();
