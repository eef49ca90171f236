import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { Persister } from './persistence/types.js';
import { createServer, type Servers } from './http/server.js';
import { registerHealthRoutes } from './http/health.js';
import { CsrfManager } from './http/csrf.js';
import { Hasher } from './hash/hasher.js';
import { SchemaRegistry } from './schema/registry.js';
import { registerSchemaRoutes } from './schema/handler.js';
import { IdentityManager } from './identity/manager.js';
import { registerIdentityRoutes } from './identity/handler.js';
import { SessionManager } from './session/manager.js';
import { registerSessionRoutes } from './session/handler.js';
import { ReturnToValidator } from './selfservice/flow/return-to.js';
import { ErrorManager } from './selfservice/errors/manager.js';
import { registerErrorRoutes } from './selfservice/errors/handler.js';
import { registerLoginRoutes } from './selfservice/login/handler.js';
import { registerRegistrationRoutes } from './selfservice/registration/handler.js';
import { registerLogoutRoutes } from './selfservice/logout/handler.js';
import { registerUI } from './ui/index.js';
import { Courier } from './courier/queue.js';
import { TemplateSet } from './courier/template/load.js';
import { registerCourierRoutes } from './courier/handler.js';
import { VERSION } from './version.js';

/** Every long-lived service, built once here; handlers take the narrow slice they declare. */
export interface Registry {
  config: Config;
  logger: Logger;
  persister: Persister;
  hasher: Hasher;
  schemas: SchemaRegistry;
  identities: IdentityManager;
  sessions: SessionManager;
  csrf: CsrfManager;
  returnTo: ReturnToValidator;
  errors: ErrorManager;
  /** Builds queued emails from the (start-up compiled) templates; rows go to persister.courier. */
  courier: Courier;
}

export interface App extends Servers {
  registry: Registry;
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

/** Builds both servers without listening, so tests can inject requests or listen on any port. */
export async function buildApp(config: Config, persister: Persister, logger: Logger): Promise<App> {
  const schemas = await SchemaRegistry.load(config);
  const hasher = new Hasher(config);
  const csrf = new CsrfManager(config);
  // Compiled now so that a bad template override stops start-up, naming its key or file.
  const courierSettings = config.courier;
  const templates = TemplateSet.load({ templates: courierSettings.templates, overridePath: courierSettings.templateOverridePath });
  const registry: Registry = {
    config,
    logger,
    persister,
    hasher,
    schemas,
    identities: new IdentityManager({ config, store: persister.identities, schemas, hasher, logger }),
    sessions: new SessionManager({ config, store: persister.sessions, logger }),
    csrf,
    returnTo: new ReturnToValidator(config, logger),
    errors: new ErrorManager({ config, store: persister.errors, logger }),
    courier: new Courier(templates),
  };

  const servers: Servers = {
    public: await createServer({ kind: 'public', logger, cors: config.cors }),
    admin: await createServer({ kind: 'admin', logger }),
  };
  csrf.register(servers.public);
  const health = { ping: () => persister.ping(), version: VERSION };
  registerHealthRoutes(servers.public, '', health);
  registerHealthRoutes(servers.admin, '/admin', health);
  registerSchemaRoutes(servers, registry);
  registerIdentityRoutes(servers, registry);
  registerSessionRoutes(servers, registry);
  registerErrorRoutes(servers, registry);
  registerLoginRoutes(servers, registry);
  registerRegistrationRoutes(servers, registry);
  registerLogoutRoutes(servers, registry);
  registerCourierRoutes(servers, registry);
  if (config.uiEnabled) registerUI(servers, registry);
  await Promise.all([servers.public.ready(), servers.admin.ready()]);

  return {
    ...servers,
    registry,
    async close() {
      await Promise.all([servers.public.close(), servers.admin.close()]);
      await persister.close();
    },
  };
}
