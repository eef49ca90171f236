import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import type { Persister } from './persistence/types.js';
import { createServer, type Servers } from './http/server.js';
import { registerHealthRoutes } from './http/health.js';
import { registerAdminGuard } from './http/admin-guard.js';
import { CsrfManager } from './http/csrf.js';
import { clientIpResolver } from './http/client-ip.js';
import { LoginThrottle } from './throttle/login.js';
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
import { registerVerificationRoutes } from './selfservice/verification/handler.js';
import { registerLogoutRoutes } from './selfservice/logout/handler.js';
import { registerSettingsRoutes } from './selfservice/settings/handler.js';
import { registerRecoveryRoutes } from './selfservice/recovery/handler.js';
import { reserveUIPaths } from './ui/reserve.js';
import { Courier } from './courier/queue.js';
import { TemplateSet } from './courier/template/load.js';
import { registerCourierRoutes } from './courier/handler.js';
import { VERSION } from './version.js';
import { StrategyRegistry } from './selfservice/strategy/registry.js';
import { builtinStrategies } from './selfservice/strategy/index.js';
import type { Strategy } from './selfservice/strategy/types.js';
import { HookRegistry } from './selfservice/hook/registry.js';
import { JsonnetPool, WebHookRunner } from './selfservice/hook/web-hook/index.js';
import { buildLogoutHooks } from './selfservice/hook/logout.js';
import { webHookClientConfig } from './config/web-hook.js';

// Every flow with hook lists, and the methods that have their own after-lists (Kratos's keys).
const HOOK_POINTS = { login: ['password', 'code'], registration: ['password', 'code'], settings: ['password', 'profile'], recovery: [], verification: [] };
import { builtinHooks } from './selfservice/hook/index.js';
import type { SessionEventDispatcher } from './session/events/dispatcher.js';
import { registerSessionEventRoutes } from './session/events/routes.js';

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
  strategies: StrategyRegistry;
  hooks: HookRegistry;
  loginThrottle: LoginThrottle;
  /** The client IP of a request under porta.trusted_proxies. */
  clientIp: (req: FastifyRequest) => string;
  /** Builds queued emails from the (start-up compiled) templates; rows go to persister.courier. */
  courier: Courier;
}

/** The services a plug-in may use (everything but the plug-in registries themselves). */
export type CoreServices = Omit<Registry, 'strategies' | 'hooks'>;

/** What embedding code (and tests) may add to the built-in plug-ins. */
export interface AppOptions {
  /** Extra self-service methods, rendered and offered after the built-in ones. */
  strategies?: (services: CoreServices) => Strategy[];
}

export interface App extends Servers {
  registry: Registry;
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

/** Builds both servers without listening, so tests can inject requests or listen on any port. */
export async function buildApp(config: Config, persister: Persister, logger: Logger, options: AppOptions = {}): Promise<App> {
  const schemas = await SchemaRegistry.load(config);
  const hasher = new Hasher(config);
  const csrf = new CsrfManager(config);
  // Compiled now so that a bad template override stops start-up, naming its key or file.
  const courierSettings = config.courier;
  const templates = TemplateSet.load({ templates: courierSettings.templates, overridePath: courierSettings.templateOverridePath });
  const sessions = new SessionManager({ config, store: persister.sessions, logger });
  const core = {
    config,
    logger,
    persister,
    hasher,
    schemas,
    identities: new IdentityManager({ config, store: persister.identities, schemas, hasher, sessions, logger }),
    sessions,
    csrf,
    returnTo: new ReturnToValidator(config, logger),
    errors: new ErrorManager({ config, store: persister.errors, logger }),
    loginThrottle: new LoginThrottle(persister.throttles, config.loginThrottle),
    clientIp: clientIpResolver(config.trustedProxies),
    courier: new Courier(templates),
  };
  const strategies = new StrategyRegistry(config, [...builtinStrategies(core), ...(options.strategies?.(core) ?? [])]);
  // Jsonnet runs in child processes started on first use; web hooks share one client configuration.
  const webHookClient = webHookClientConfig(config);
  const jsonnet = new JsonnetPool(webHookClient.jsonnetWorkers, webHookClient.jsonnetTimeoutMs);
  const webHooks = new WebHookRunner(jsonnet, webHookClient, logger);
  const hooks = new HookRegistry(config, builtinHooks(core, webHooks), logger);
  const logoutHooks = buildLogoutHooks({ config, csrf, logger, persister }, webHooks);
  try {
    await hooks.prepare(HOOK_POINTS);
    for (const h of logoutHooks?.hooks ?? []) await h.prepare();
  } catch (err) {
    await jsonnet.close();
    throw err;
  }
  const registry: Registry = { ...core, strategies, hooks };

  const servers: Servers = {
    public: await createServer({ kind: 'public', logger, cors: config.cors }),
    admin: await createServer({ kind: 'admin', logger }),
  };
  registerAdminGuard(servers.admin, { apiKeys: config.adminApiKeys, adminBaseURL: config.adminBaseURL, baseURLConfigured: config.adminBaseURLConfigured });
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
  registerLogoutRoutes(servers, { ...registry, logoutHooks });
  registerVerificationRoutes(servers, registry);
  registerRecoveryRoutes(servers, registry);
  registerCourierRoutes(servers, registry);
  registerSettingsRoutes(servers, registry);
  // Session events: a dispatcher only while receivers are configured; the process that committed a
  // revocation tries its new deliveries at once, the others find them on their next poll.
  // Loaded only then (it brings jose), like the UI below (its renderer and templates): start-up memory of a
  // server without them stays low.
  const dispatcher: SessionEventDispatcher | undefined =
    config.sessionEvents.receivers.length > 0
      ? new (await import('./session/events/dispatcher.js')).SessionEventDispatcher(persister.sessionEvents, config.sessionEvents, logger)
      : undefined;
  if (dispatcher) sessions.onRevoked(() => dispatcher.kick());
  registerSessionEventRoutes(servers, { config, logger, store: persister.sessionEvents, dispatcher });
  if (config.uiEnabled) (await import('./ui/index.js')).registerUI(servers, registry);
  else reserveUIPaths(servers.public);
  await Promise.all([servers.public.ready(), servers.admin.ready()]);
  dispatcher?.start();

  return {
    ...servers,
    registry,
    async close() {
      await Promise.all([servers.public.close(), servers.admin.close()]);
      await jsonnet.close();
      await dispatcher?.stop();
      await persister.close();
    },
  };
}
