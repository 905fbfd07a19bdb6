import { controlPlane, SageMakerRecords, type SageMakerContext } from '../../sagemaker-api/index.js';
import { sendReply } from '../../serving/index.js';
import { awsErrorReply } from '../../sagemaker-api/index.js';
import { callerOf } from '../authenticate.js';
import type { ServiceContext } from '../context.js';
import type { RouteArea } from './route-area.js';

/** A control-plane request is a small JSON document; anything larger is not one. */
const CONTROL_PLANE_BODY_LIMIT = 1024 * 1024;

const contexts = new WeakMap<ServiceContext, SageMakerContext>();

/** The SageMaker face's state for a service (one records file per home), shared by its routes. */
export function sagemakerOf(ctx: ServiceContext): SageMakerContext {
  let s = contexts.get(ctx);
  if (!s) contexts.set(ctx, (s = { engine: ctx.engine, records: new SageMakerRecords(ctx.home), region: ctx.auth.sigv4.region }));
  return s;
}

/**
 * SageMaker's control plane: `POST /` with `X-Amz-Target: SageMaker.<Op>` (JSON 1.1), for the AWS SDKs,
 * boto3 and the AWS CLI. Callers sign with SigV4 (keys from `recpipe keys create --aws`) or present an
 * API key as on every route. The body is read as text: the signature covers its exact bytes.
 */
export const sagemakerRoutes: RouteArea = async (app, ctx) => {
  const sagemaker = sagemakerOf(ctx);
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: CONTROL_PLANE_BODY_LIMIT }, (_req, body, done) => done(null, body));
    scope.setErrorHandler((err, _req, reply) => sendReply(reply, awsErrorReply(err)));
    scope.post(
      '/',
      {
        bodyLimit: CONTROL_PLANE_BODY_LIMIT,
        schema: {
          tags: ['sagemaker'],
          summary: 'SageMaker control plane (X-Amz-Target: SageMaker.<Operation>, application/x-amz-json-1.1)',
        },
      },
      async (req, reply) =>
        sendReply(reply, await controlPlane(sagemaker, callerOf(req), req.headers['x-amz-target'], req.body as string | undefined)),
    );
  });
};
