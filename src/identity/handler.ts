import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Servers } from '../http/server.js';
import { defineRoutes } from '../http/routes.js';
import { exemptFromCsrf } from '../http/csrf.js';
import { PortaError } from '../http/errors.js';
import { readJsonBody } from '../http/body.js';
import { queryOf } from '../http/query.js';
import { redirectToServer } from '../http/port-redirect.js';
import { DuplicateCredentialsError } from './store.js';
import { parseUUID } from '../http/go-params.js';
import type { IdentityManager } from './manager.js';
import { identityToJSON } from './json.js';
import { assertJsonDepth, decodeCreateBody, decodeUpdateBody, parseGoJson } from './body.js';
import { parseIncludeCredential, planList, setKeysetLink, setPageHeaders } from './list.js';
import { applyPatch, parsePatch } from './patch.js';
import { identityFromPatch } from './patched.js';
import type { Identity } from './types.js';
import { errIdentityConflictOnCreate, errIdentityConflictOnUpdate, errLastFirstFactor, errNoCredentialToRemove, errNoRows, errTraitsNotObject } from '../http/catalogue/index.js';

export interface IdentityDeps {
  config: Config;
  identities: IdentityManager;
}

type IdReq = FastifyRequest;

/** The 409 Kratos's create handler answers for a taken identifier or external_id. */
const conflictOnCreate = errIdentityConflictOnCreate;
/** Updates pass the store's unique violation through unchanged (sqlcon.ErrUniqueViolation). */
const conflictOnUpdate = errIdentityConflictOnUpdate;

async function guardDuplicate<T>(work: Promise<T>, conflict: () => PortaError): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof DuplicateCredentialsError) throw conflict();
    throw err;
  }
}

/** Kratos's x.ParseUUID: a malformed id looks up nothing, so it is a 404 like an unknown one. */
function idOf(req: IdReq): string {
  try {
    return parseUUID((req.params as { id: string }).id);
  } catch {
    throw errNoRows();
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Admin identity API (/admin/identities...) and the public 307s to it. */
export function registerIdentityRoutes(servers: Servers, deps: IdentityDeps): void {
  const { config, identities } = deps;
  const store = identities.deps.store;
  // An explicitly requested credential type comes with its whole config, hashed_password included, as
  // Kratos's WithDeclassifiedCredentials does (migration tools read it); the admin API is the trusted side.
  const adminJSON = (i: Identity, withConfig: string[] | null) =>
    identityToJSON(i, { config, credentials: withConfig ? { withConfig } : 'no-config', metadataAdmin: true, revealSecrets: withConfig !== null });

  async function load(req: IdReq): Promise<Identity> {
    const identity = await store.getIdentity(idOf(req));
    if (!identity) throw errNoRows();
    return identity;
  }

  async function save(reply: FastifyReply, existing: Identity, updated: Identity): Promise<FastifyReply> {
    const ok = await guardDuplicate(identities.update(existing, updated, { byOperator: true }), conflictOnUpdate);
    if (!ok) throw errNoRows();
    return reply.send(adminJSON(updated, null));
  }

  defineRoutes(servers.admin, '/admin/identities', {
    GET: async (req, reply) => {
      const plan = planList(req);
      const rows = await store.listIdentities(plan.query);
      const view = (i: Identity) =>
        identityToJSON(i, { config, credentials: plan.expandCredentials ? { withConfig: plan.includeCredential } : 'none', metadataAdmin: true, revealSecrets: true });
      if (plan.mode === 'page') {
        // As Kratos: with a credentials_identifier filter the total is what was found.
        const total = plan.query.credentialIdentifier ? rows.length : await store.countIdentities();
        setPageHeaders(req, reply, total, plan.page, plan.size);
        return reply.send(rows.map(view));
      }
      const page = rows.slice(0, plan.size);
      setKeysetLink(req, reply, plan.size, rows.length > plan.size ? page[page.length - 1].id : undefined);
      return reply.send(page.map(view));
    },
    POST: async (req, reply) => {
      const input = decodeCreateBody(parseGoJson(req.body as Buffer | undefined));
      const identity = await guardDuplicate(identities.create(input), conflictOnCreate);
      const base = config.adminBaseURL.href.replace(/\/$/, '');
      return reply.code(201).header('location', `${base}/identities/${identity.id}`).send(adminJSON(identity, null));
    },
  });

  defineRoutes(servers.admin, '/admin/identities/by/external/:externalId', {
    GET: async (req: IdReq, reply) => {
      const include = parseIncludeCredential(queryOf(req));
      const identity = await store.findIdentityByExternalId((req.params as { externalId: string }).externalId);
      if (!identity) throw errNoRows();
      return reply.send(adminJSON(identity, include));
    },
  });

  defineRoutes(servers.admin, '/admin/identities/:id', {
    GET: async (req: IdReq, reply) => {
      const include = parseIncludeCredential(queryOf(req));
      return reply.send(adminJSON(await load(req), include));
    },
    DELETE: async (req: IdReq, reply) => {
      if (!(await identities.delete(idOf(req)))) throw errNoRows();
      return reply.code(204).send();
    },
    PUT: async (req: IdReq, reply) => {
      // Kratos decodes the body before it looks the identity up.
      const raw = readJsonBody(req);
      assertJsonDepth(raw);
      const body = decodeUpdateBody(raw);
      const existing = await load(req);
      const now = new Date();
      let updated: Identity = {
        ...existing,
        schemaId: body.schemaId ?? existing.schemaId,
        traits: body.traits as Record<string, unknown>,
        metadataPublic: body.metadataPublic,
        metadataAdmin: body.metadataAdmin,
        externalId: body.externalId,
        updatedAt: now,
      };
      if (body.state && body.state !== existing.state) updated = { ...updated, state: body.state, stateChangedAt: now };
      updated = identities.applySchema(updated, now);
      if (!isPlainObject(updated.traits)) throw errTraitsNotObject();
      const hashed = body.password ? await identities.passwordHash(body.password) : undefined;
      if (hashed) updated = identities.withPasswordHash(updated, hashed, now);
      return save(reply, existing, updated);
    },
    PATCH: async (req: IdReq, reply) => {
      const existing = await load(req);
      const ops = parsePatch(req.body as Buffer | undefined);
      // The patch sees the admin document with secrets so hashed_password stays patchable; it is never sent back.
      const doc = identityToJSON(existing, { config, credentials: { withConfig: ['password'] }, metadataAdmin: true, revealSecrets: true });
      const patched = applyPatch(doc, ops);
      assertJsonDepth(patched);
      return save(reply, existing, await identityFromPatch(identities, existing, patched));
    },
  });

  // deleteIdentityCredentials. Porta stores only password credentials, and a password is always the
  // identity's last first factor, so the only outcomes are Kratos's 404 and 400.
  defineRoutes(servers.admin, '/admin/identities/:id/credentials/:type', {
    DELETE: async (req) => {
      const identity = await load(req);
      const { type } = req.params as { type: string };
      if (!Object.hasOwn(identity.credentials, type)) {
        throw errNoCredentialToRemove(type);
      }
      throw errLastFirstFactor();
    },
  });

  // Kratos's public router sends every identity path to the admin server.
  const toAdmin = (req: FastifyRequest, reply: FastifyReply) => redirectToServer(config.adminBaseURL, req, reply, 'admin');
  const all = { GET: toAdmin, POST: toAdmin, PUT: toAdmin, PATCH: toAdmin, DELETE: toAdmin };
  for (const path of ['/identities', '/identities/*', '/admin/identities', '/admin/identities/*']) defineRoutes(servers.public, path, all);
  // Kratos's nosurf skips these prefixes on the public port (admin paths there only redirect).
  exemptFromCsrf(servers.public, '/identities', { prefix: true });
  exemptFromCsrf(servers.public, '/admin/', { prefix: true });
}
