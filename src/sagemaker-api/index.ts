/**
 * SageMaker's APIs over recpipe's jobs, artifacts and endpoints, for the AWS SDKs, boto3 and the AWS CLI:
 *
 *   control plane  POST /  X-Amz-Target: SageMaker.<Op>, application/x-amz-json-1.1 (see OPERATIONS)
 *   runtime        POST /endpoints/{name}/invocations: SageMaker's errors and headers (sagemakerInvocation)
 *
 * Errors carry SageMaker's type in `x-amzn-errortype` and `__type`, the text in `message`; timestamps
 * are epoch seconds. Models, endpoint configs and training-job names live in `<home>/sagemaker.json`.
 */
export { ACCOUNT_ID, awsErrorReply } from './aws-errors.js';
export type { SageMakerContext, SageMakerEngine } from './api-context.js';
export { OPERATIONS, controlPlane } from './control-plane.js';
export { variantOf } from './endpoints.js';
export { SageMakerRecords, SAGEMAKER_RECORDS_FILE } from './records.js';
export { sagemakerInvocation } from './runtime-face.js';
