import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryOf } from '../../http/query.js';
import { renderApiError, renderError, type UiContext } from '../context.js';
import type { FlowError } from '../kratos.js';

/** GET /ui/error?id=: the API's error container, for humans (read without cookies, like the reference UI). */
export function errorPage(ctx: UiContext) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const id = queryOf(req).get('id') || queryOf(req).get('error');
    if (!id) {
      return renderError(ctx, reply, { code: 404, status: 'Not Found', message: 'No error was named in the link.' }, 404);
    }
    const res = await ctx.frontend.getFlowError(id);
    if (res.status === 200) {
      const body = res.body as FlowError;
      return renderError(ctx, reply, body.error, 200, body.id);
    }
    if (res.status === 404) {
      return renderError(ctx, reply, { code: 404, status: 'Not Found', message: 'This error does not exist or has been cleaned up.' }, 404);
    }
    return renderApiError(ctx, reply, res);
  };
}
