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

/** GET /admin/identities: its parameter checks, in Kratos's texts. */
export const errBadIncludeCredential = (shown: string) => new PortaError(400, { reason: `Invalid value \`${shown}\` for parameter \`include_credential\`.` });
export const errBadUUIDParam = (value: string, param: string) => new PortaError(400, { reason: `Invalid UUID value \`${value}\` for parameter \`${param}\`.` });
export const errTooManyIds = (max: number) => new PortaError(400, { reason: `The number of ids to filter must not exceed ${max}.` });
export const errCombinedFilters = () => new PortaError(400, { reason: 'You cannot combine multiple filters in this API' });
export const errUnsupportedFilters = () =>
  new PortaError(400, { reason: 'The preview_credentials_identifier_similar and organization_id filters are not supported by this server.' });
export const errLegacyPagination = () => new PortaError(400, { reason: 'Legacy pagination requires page >= 0 and per_page >= 1.' });
export const errLegacyPaginationTooFar = () =>
  new PortaError(400, { reason: 'Legacy pagination is not supported for enumerating over 1000 items. Please switch to using page_token and page_size.' });
export const errPageSizeMin = () => new PortaError(400, { reason: 'The page size must be at least 1.' });

/** Identity bodies (create, update, patch, import). */
export const errAddressStatus = (status: unknown) => new PortaError(400, { reason: `address status ${JSON.stringify(status)} is not supported` });
export const errAddressVia = (via: unknown) => new PortaError(400, { reason: `address via ${JSON.stringify(via)} is not supported` });
export const errSuppliedState = (state: string) =>
  new PortaError(400, { reason: `The supplied state ('${state}') was not valid. Valid states are ('active', 'inactive').` });
export const errIdentityState = () => new PortaError(400, { reason: 'identity state is not valid' });
export const errTraitsNotObject = () => new PortaError(400, { reason: 'identity traits must be a JSON object' });
export const errExternalIdNul = () => new PortaError(400, { reason: 'external_id must not contain NUL characters.' });
export const errImportUnsupported = (type: string) => new PortaError(400, { reason: `Importing ${type} credentials is not supported by this server.` });
export const errPasswordMigrationUnsupported = () => new PortaError(400, { reason: 'The password migration hook is not supported by this server.' });
export const errImportUnknownFormat = () => new PortaError(400, { reason: 'The imported password does not match any known hash format.' });
export const errImportOutOfBounds = () =>
  new PortaError(400, {
    reason:
      'The imported password hash declares cost parameters that exceed the bounds enforced by Ory. Re-hash the password with a more conservative configuration before importing.',
  });
export const errImportUnparsable = () => new PortaError(400, { reason: 'The imported password hash could not be parsed.' });
/** The hasher's refusal of a cleartext password (its text names the limit). */
export const errPasswordTooLong = (reason: string) => new PortaError(400, { reason });
export const errLastFirstFactor = () => new PortaError(400, { reason: 'You cannot remove the last first factor credential.' });
export const errSchemaIdUnknown = (schemaId: string) => new PortaError(400, { reason: `Unable to find JSON Schema ID: ${schemaId}` });
export const errSchemaNotFound = (shownId: string) => new PortaError(404, { reason: `Identity schema \`${shownId}\` could not be found.` });

/** PATCH /admin/identities/{id}: jsonx.ApplyJSONPatch's two reasons, with the parser's text as message. */
export const errPatchUnmarshal = (message: string) => new PortaError(400, { reason: 'failed to unmarshal JSON patch', message });
export const errPatchApply = (message: string) => new PortaError(400, { reason: 'failed to apply JSON patch', message });
