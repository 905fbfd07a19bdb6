import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  CreateTrainingJobCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  DescribeTrainingJobCommand,
  ListEndpointConfigsCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  ListTrainingJobsCommand,
  SageMakerClient,
  StopTrainingJobCommand,
  UpdateEndpointCommand,
  waitUntilEndpointInService,
  waitUntilTrainingJobCompletedOrStopped,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FastifyInstance } from 'fastify';
import { ApiKeyStore, SigV4Verifier, awsSecretName } from '../../src/auth/index.js';
import { Engine } from '../../src/engine/index.js';
import { SecretStore } from '../../src/secrets/index.js';
import { createService } from '../../src/service/index.js';
import { authHeaders } from '../support/auth.js';
import { recpipeInProcess } from '../support/cli-in-process.js';
import { syntheticRatingsSql } from '../support/ratings-sql.js';

/** The guide's predict.sh payload. */
const PAYLOAD = '1,308\n1,425\n2,541\n2,1197\n';
const REGION = 'us-east-1';

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What an SDK call threw: its error name, status and fields. */
type SdkError = Error & { $metadata: { httpStatusCode?: number }; OriginalStatusCode?: number; OriginalMessage?: string };

async function failure(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    return e as SdkError;
  }
  assert.fail('the call succeeded');
}

describe('the AWS SDK against recpipe (SageMaker control plane and runtime over loopback)', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-sm-'));
  let engine: Engine;
  let app: FastifyInstance;
  let url = '';
  let sysadmin: Keys;
  let analyst: Keys;
  let sm: SageMakerClient;
  let runtime: SageMakerRuntimeClient;
  const clients = (credentials: Keys, region = REGION) => ({
    sm: new SageMakerClient({ endpoint: url, region, credentials, maxAttempts: 1 }),
    runtime: new SageMakerRuntimeClient({ endpoint: url, region, credentials, maxAttempts: 1 }),
  });

  before(async () => {
    engine = await Engine.open({ home });
    const session = engine.createSession();
    await engine.execute(
      session,
      `use role sysadmin; ${syntheticRatingsSql('MOVIELENS', 'RATINGS_TRAIN_DATA', 30, 40)};
       use role accountadmin; create role analyst; create user sm_user default_role = sysadmin; grant role sysadmin to user sm_user;
       create user sm_analyst default_role = analyst; grant role analyst to user sm_analyst`,
    );
    const keys = new ApiKeyStore(home);
    const secrets = new SecretStore(home, new Map());
    sysadmin = keys.createAws('SYSADMIN', 'sm', 'SM_USER', secrets);
    analyst = keys.createAws('ANALYST', 'analyst', 'SM_ANALYST', secrets);
    app = await createService(engine, { home });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    ({ sm, runtime } = clients(sysadmin));
  });

  after(async () => {
    sm?.destroy();
    runtime?.destroy();
    await app?.close();
    await engine?.close();
    rmSync(home, { recursive: true, force: true });
  });

  const train = async (jobName: string, seed: string) => {
    await sm.send(
      new CreateTrainingJobCommand({
        TrainingJobName: jobName,
        AlgorithmSpecification: { TrainingImage: 'recpipe/svd:latest', TrainingInputMode: 'File' },
        RoleArn: 'arn:aws:iam::000000000000:role/SageMakerRole',
        OutputDataConfig: { S3OutputPath: 's3://bucket/output' },
        ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 5 },
        StoppingCondition: { MaxRuntimeInSeconds: 600 },
        HyperParameters: {
          input: 'MOVIELENS.PUBLIC.RATINGS_TRAIN_DATA',
          output: 'MOVIELENS.PUBLIC.USER_MOVIE_RECOMMENDATIONS',
          n_factors: '8',
          n_epochs: '5',
          folds: '2',
          seed,
        },
      }),
    );
    const waited = await waitUntilTrainingJobCompletedOrStopped(
      { client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 },
      { TrainingJobName: jobName },
    );
    assert.equal(waited.state, 'SUCCESS', JSON.stringify(waited.reason));
    const job = await sm.send(new DescribeTrainingJobCommand({ TrainingJobName: jobName }));
    assert.equal(job.TrainingJobStatus, 'Completed', job.FailureReason);
    return job;
  };

  const model = async (modelName: string, configName: string, artifact: string) => {
    await sm.send(
      new CreateModelCommand({
        ModelName: modelName,
        PrimaryContainer: { Image: 'recpipe/serve:latest', ModelDataUrl: artifact },
        ExecutionRoleArn: 'arn:aws:iam::000000000000:role/SageMakerRole',
      }),
    );
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: configName,
        ProductionVariants: [{ VariantName: 'variant-1', ModelName: modelName, InitialInstanceCount: 1, InstanceType: 'ml.t2.medium' }],
      }),
    );
  };

  const invoke = (endpoint: string, body = PAYLOAD, contentType = 'text/csv', client = runtime) =>
    client.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: contentType, Body: new TextEncoder().encode(body) }));

  it('plays the guide: train → Completed → model → endpoint → InService → invoke → update under load with zero errors', async () => {
    const job = await train('movielens-train-1', '1');
    assert.match(job.TrainingJobArn ?? '', /^arn:aws:sagemaker:us-east-1:000000000000:training-job\/movielens-train-1$/);
    assert.ok(job.CreationTime instanceof Date && job.TrainingEndTime instanceof Date);
    assert.equal(job.SecondaryStatus, 'Completed');
    assert.ok((job.SecondaryStatusTransitions ?? []).some((t) => t.Status === 'Training'));
    assert.equal(job.HyperParameters?.n_factors, '8');
    assert.equal(job.ResourceConfig?.InstanceType, 'ml.m5.large');
    assert.ok((job.FinalMetricDataList ?? []).some((m) => m.MetricName === 'validation:rmse' && (m.Value ?? 0) > 0));
    const artifact = job.ModelArtifacts?.S3ModelArtifacts ?? '';
    assert.match(artifact, /^file:\/\//);

    const listed = await sm.send(new ListTrainingJobsCommand({ NameContains: 'movielens' }));
    assert.deepEqual(
      listed.TrainingJobSummaries?.map((s) => [s.TrainingJobName, s.TrainingJobStatus]),
      [['movielens-train-1', 'Completed']],
    );

    await model('movielens-model-v1', 'movielens-config-v1', artifact);
    const created = await sm.send(
      new CreateEndpointCommand({ EndpointName: 'movielens-model', EndpointConfigName: 'movielens-config-v1' }),
    );
    assert.match(created.EndpointArn ?? '', /endpoint\/movielens-model$/);
    const ready = await waitUntilEndpointInService(
      { client: sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { EndpointName: 'movielens-model' },
    );
    assert.equal(ready.state, 'SUCCESS', JSON.stringify(ready.reason));

    const answer = await invoke('movielens-model');
    const ratings = new TextDecoder().decode(answer.Body).trim().split('\n').map(Number);
    assert.equal(ratings.length, 4);
    for (const r of ratings) assert.ok(r >= 0.5 && r <= 5, `rating ${r} in the scale`);
    assert.equal(answer.InvokedProductionVariant, 'variant-1');
    assert.match(answer.ContentType ?? '', /^text\/csv/);

    const job2 = await train('movielens-train-2', '2');
    await model('movielens-model-v2', 'movielens-config-v2', job2.ModelArtifacts?.S3ModelArtifacts ?? '');
    let stop = false;
    let ok = 0;
    const errors: string[] = [];
    const load = Array.from({ length: 4 }, async () => {
      while (!stop) {
        try {
          const r = await invoke('movielens-model');
          assert.equal(new TextDecoder().decode(r.Body).trim().split('\n').length, 4);
          ok++;
        } catch (e) {
          errors.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
      }
    });
    try {
      await sm.send(new UpdateEndpointCommand({ EndpointName: 'movielens-model', EndpointConfigName: 'movielens-config-v2' }));
      const during = await sm.send(new DescribeEndpointCommand({ EndpointName: 'movielens-model' }));
      assert.ok(['Updating', 'InService'].includes(during.EndpointStatus ?? ''), during.EndpointStatus);
      const updated = await waitUntilEndpointInService(
        { client: sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
        { EndpointName: 'movielens-model' },
      );
      assert.equal(updated.state, 'SUCCESS');
      // Keep the load on a moment past the swap.
      const until = ok + 20;
      while (ok < until && errors.length === 0) await new Promise((r) => setTimeout(r, 10));
    } finally {
      stop = true;
      await Promise.all(load);
    }
    assert.deepEqual(errors, []);
    assert.ok(ok > 20, `${ok} invocations during the update`);
    const after = await sm.send(new DescribeEndpointCommand({ EndpointName: 'movielens-model' }));
    assert.equal(after.EndpointStatus, 'InService');
    assert.equal(after.EndpointConfigName, 'movielens-config-v2');
    assert.equal(after.ProductionVariants?.[0].VariantName, 'variant-1');
    assert.ok(after.CreationTime instanceof Date && after.LastModifiedTime instanceof Date);
  });

  it('answers every other control-plane API with SageMaker shapes', async () => {
    const m = await sm.send(new DescribeModelCommand({ ModelName: 'movielens-model-v1' }));
    assert.match(m.PrimaryContainer?.ModelDataUrl ?? '', /^file:\/\//);
    assert.equal(m.PrimaryContainer?.Image, 'recpipe/serve:latest');
    const c = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'movielens-config-v1' }));
    assert.equal(c.ProductionVariants?.[0].ModelName, 'movielens-model-v1');
    const models = await sm.send(new ListModelsCommand({ SortBy: 'Name', SortOrder: 'Ascending' }));
    assert.deepEqual(
      models.Models?.map((x) => x.ModelName),
      ['movielens-model-v1', 'movielens-model-v2'],
    );
    const page1 = await sm.send(new ListEndpointConfigsCommand({ MaxResults: 1, SortBy: 'Name', SortOrder: 'Ascending' }));
    assert.equal(page1.EndpointConfigs?.[0].EndpointConfigName, 'movielens-config-v1');
    const page2 = await sm.send(
      new ListEndpointConfigsCommand({ MaxResults: 1, SortBy: 'Name', SortOrder: 'Ascending', NextToken: page1.NextToken }),
    );
    assert.equal(page2.EndpointConfigs?.[0].EndpointConfigName, 'movielens-config-v2');
    assert.equal(page2.NextToken, undefined);
    const eps = await sm.send(new ListEndpointsCommand({ StatusEquals: 'InService' }));
    assert.deepEqual(
      eps.Endpoints?.map((e) => e.EndpointName),
      ['movielens-model'],
    );
    const stop = await failure(sm.send(new StopTrainingJobCommand({ TrainingJobName: 'movielens-train-1' })));
    assert.equal(stop.name, 'ValidationException');
    assert.match(stop.message, /Completed/);

    await sm.send(new DeleteEndpointCommand({ EndpointName: 'movielens-model' }));
    const gone = await failure(sm.send(new DescribeEndpointCommand({ EndpointName: 'movielens-model' })));
    assert.equal(gone.name, 'ValidationException');
    assert.match(gone.message, /Could not find endpoint/);
    await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'movielens-config-v2' }));
    await sm.send(new DeleteModelCommand({ ModelName: 'movielens-model-v2' }));
    const noModel = await failure(sm.send(new DescribeModelCommand({ ModelName: 'movielens-model-v2' })));
    assert.equal(noModel.name, 'ValidationException');
  });

  it('names its errors as SageMaker does: never UnknownError', async () => {
    const missing = await failure(invoke('no-such-endpoint'));
    assert.equal(missing.name, 'ValidationError');
    assert.equal(missing.$metadata.httpStatusCode, 400);
    assert.equal(missing.message, 'Endpoint no-such-endpoint of account 000000000000 not found.');

    await sm.send(new CreateEndpointCommand({ EndpointName: 'errors', EndpointConfigName: 'movielens-config-v1' }));
    await waitUntilEndpointInService({ client: sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: 'errors' });
    const bad = await failure(invoke('errors', '1,308\nnot a pair\n'));
    assert.equal(bad.name, 'ModelError');
    assert.equal(bad.$metadata.httpStatusCode, 424);
    assert.equal(bad.OriginalStatusCode, 400);
    assert.match(bad.OriginalMessage ?? '', /line 2/);
    const type = await failure(invoke('errors', 'x', 'image/png'));
    assert.equal(type.name, 'ModelError');
    assert.equal(type.OriginalStatusCode, 415);

    const noJob = await failure(sm.send(new DescribeTrainingJobCommand({ TrainingJobName: 'never-ran' })));
    assert.equal(noJob.name, 'ResourceNotFound');
    const dup = await failure(train('movielens-train-1', '1'));
    assert.equal(dup.name, 'ResourceInUse');
    const noConfig = await failure(sm.send(new CreateEndpointCommand({ EndpointName: 'x', EndpointConfigName: 'nope' })));
    assert.equal(noConfig.name, 'ValidationException');
    assert.match(noConfig.message, /Could not find endpoint configuration/);
    const badName = await failure(sm.send(new DescribeEndpointCommand({ EndpointName: 'bad_name!' })));
    assert.equal(badName.name, 'ValidationException');
    assert.match(badName.message, /EndpointName/);
  });

  it('checks signatures: a wrong secret, an unknown key or another region is refused with 403', async () => {
    const wrong = clients({ accessKeyId: sysadmin.accessKeyId, secretAccessKey: 'x'.repeat(40) });
    const forged = await failure(wrong.sm.send(new ListEndpointsCommand({})));
    assert.equal(forged.name, 'InvalidSignatureException');
    assert.equal(forged.$metadata.httpStatusCode, 403);
    const forgedInvoke = await failure(invoke('errors', PAYLOAD, 'text/csv', wrong.runtime));
    assert.equal(forgedInvoke.name, 'InvalidSignatureException');
    assert.equal(forgedInvoke.$metadata.httpStatusCode, 403);
    const unknown = clients({ accessKeyId: 'RPAKAAAAAAAAAAAAAAAA', secretAccessKey: sysadmin.secretAccessKey });
    assert.equal((await failure(unknown.sm.send(new ListEndpointsCommand({})))).name, 'UnrecognizedClientException');
    const elsewhere = clients(sysadmin, 'eu-west-1');
    const region = await failure(elsewhere.sm.send(new ListEndpointsCommand({})));
    assert.equal(region.name, 'InvalidSignatureException');
    assert.match(region.message, /region/);
    for (const c of [wrong, unknown, elsewhere]) {
      c.sm.destroy();
      c.runtime.destroy();
    }
  });

  it('refuses replayed and stale signatures', async () => {
    const signer = new SignatureV4({ credentials: sysadmin, region: REGION, service: 'sagemaker', sha256: Hash.bind(null, 'sha256') });
    const { host, port } = new URL(url);
    const request = async (signingDate: Date) =>
      signer.sign(
        {
          method: 'POST',
          protocol: 'http:',
          hostname: host.split(':')[0],
          port: Number(port),
          path: '/',
          query: {},
          headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.ListEndpoints' },
          body: '{}',
        },
        { signingDate },
      );
    const send = async (signed: Awaited<ReturnType<typeof request>>) => {
      const res = await fetch(`${url}/`, { method: 'POST', headers: signed.headers as Record<string, string>, body: '{}' });
      return { status: res.status, type: res.headers.get('x-amzn-errortype'), body: (await res.json()) as { message: string } };
    };
    const once = await request(new Date());
    assert.equal((await send(once)).status, 200);
    const replay = await send(once);
    assert.equal(replay.status, 403);
    assert.equal(replay.type, 'InvalidSignatureException');
    assert.match(replay.body.message, /already been used/);
    const stale = await send(await request(new Date(Date.now() - 16 * 60_000)));
    assert.equal(stale.status, 403);
    assert.equal(stale.type, 'InvalidSignatureException');
    assert.match(stale.body.message, /Signature expired/);
  });

  it('maps a key to its user and role: without USAGE on train_and_get_recommendations it cannot train', async () => {
    const limited = clients(analyst);
    const denied = await failure(
      limited.sm.send(
        new CreateTrainingJobCommand({
          TrainingJobName: 'analyst-train',
          AlgorithmSpecification: { TrainingImage: 'recpipe/svd', TrainingInputMode: 'File' },
          RoleArn: 'arn:aws:iam::000000000000:role/SageMakerRole',
          OutputDataConfig: { S3OutputPath: 's3://bucket/output' },
          ResourceConfig: { InstanceCount: 1, InstanceType: 'ml.m5.large', VolumeSizeInGB: 5 },
          StoppingCondition: { MaxRuntimeInSeconds: 600 },
          HyperParameters: { input: 'MOVIELENS.PUBLIC.RATINGS_TRAIN_DATA', output: 'MOVIELENS.PUBLIC.ANALYST_OUT' },
        }),
      ),
    );
    assert.equal(denied.name, 'AccessDeniedException');
    assert.match(denied.message, /role ANALYST.*USAGE on function TRAIN_AND_GET_RECOMMENDATIONS/);
    limited.sm.destroy();
    limited.runtime.destroy();
  });

  it('keeps the recpipe shape for API-key callers; takes API keys on the control plane', async () => {
    const res = await fetch(`${url}/endpoints/no-such-endpoint/invocations`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'text/csv' },
      body: PAYLOAD,
    });
    assert.equal(res.status, 404);
    assert.deepEqual(((await res.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    const ok = await fetch(`${url}/endpoints/errors/invocations`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'text/csv' },
      body: PAYLOAD,
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-amzn-invoked-production-variant'), 'variant-1');
    // The control plane takes API keys too; SigV4 is for SageMaker's routes only.
    const listed = await fetch(`${url}/`, {
      method: 'POST',
      headers: { ...authHeaders(home), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.ListEndpoints' },
      body: '{}',
    });
    assert.equal(listed.status, 200);
    assert.deepEqual(
      ((await listed.json()) as { Endpoints: { EndpointName: string }[] }).Endpoints.map((e) => e.EndpointName),
      ['errors'],
    );
    const anonymous = await fetch(`${url}/`, { method: 'POST', headers: { 'x-amz-target': 'SageMaker.ListEndpoints' }, body: '{}' });
    assert.equal(anonymous.status, 401);
    const elsewhere = await fetch(`${url}/api/v1/training-jobs`, {
      headers: {
        authorization: `AWS4-HMAC-SHA256 Credential=${sysadmin.accessKeyId}/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      },
    });
    assert.equal(elsewhere.status, 403);
    assert.equal(elsewhere.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
  });
});

describe('recpipe keys create --aws', () => {
  const home = mkdtempSync(join(tmpdir(), 'recpipe-smkeys-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  it('prints the pair in ~/.aws/credentials form; the server can verify it; revoke removes its secret', async () => {
    const created = await recpipeInProcess(['keys', 'create', '--aws', '--role', 'sysadmin', '--name', 'boto', '--home', home]);
    assert.equal(created.code, 0, created.stderr);
    const m = /^aws_access_key_id = (RPAK[A-Z2-7]{16})\naws_secret_access_key = (\S{40})\n$/.exec(created.stdout);
    assert.ok(m, created.stdout);
    const [, accessKeyId, secretAccessKey] = m;
    assert.doesNotMatch(created.stderr, new RegExp(secretAccessKey.replace(/[+/]/g, '.')));
    const keys = new ApiKeyStore(home);
    assert.deepEqual(
      keys.list().map((k) => [k.name, k.prefix, k.role, k.user]),
      [['boto', accessKeyId, 'SYSADMIN', 'KEYS_SYSADMIN']],
    );
    assert.equal(statSync(join(home, 'secrets.json')).mode & 0o077, 0);
    const secrets = new SecretStore(home, new Map());
    const verifier = new SigV4Verifier(keys, (id) => secrets.get(awsSecretName(id)));
    const signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey },
      region: REGION,
      service: 'sagemaker',
      sha256: Hash.bind(null, 'sha256'),
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: 'h',
      path: '/',
      query: {},
      headers: { host: 'h' },
      body: '{}',
    });
    const who = await verifier.verify({ method: 'POST', url: '/', headers: signed.headers, body: '{}' });
    assert.equal(who.user, 'KEYS_SYSADMIN');

    const revoked = await recpipeInProcess(['keys', 'revoke', accessKeyId, '--home', home]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(secrets.get(awsSecretName(accessKeyId)), undefined);
    assert.deepEqual(keys.list(), []);
  });
});
