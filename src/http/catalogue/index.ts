/**
 * Every error Porta answers, in one place: named constructors with Kratos's id, status and reason,
 * grouped by the domain that sends them, and typed subclasses where a caller needs to tell one apart.
 * New errors go here rather than inline `new PortaError(...)` in a handler.
 */
export { PortaError, errUnavailable, type PortaErrorInit } from '../errors.js';
export * from './generic.js';
export * from './request.js';
export * from './identity.js';
export * from './session.js';
export * from './flow.js';
export * from './hook.js';
