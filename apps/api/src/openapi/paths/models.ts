/** /v1/models: the model registry (ONNX upload, listing with live workers, one model). */
import { errorResponse, errors, json, ref, type PathItems } from '../responses.js';
import { exampleModel } from '../examples.js';

export function modelPaths(): PathItems {
  return {
    '/v1/models': {
      post: {
        operationId: 'registerModel',
        tags: ['models'],
        summary: 'Register an ONNX model (e.g. a timm export): inspected, run once on a dummy batch, then stored as the next version of that name',
        requestBody: { required: true, content: { 'multipart/form-data': { schema: ref('ModelUpload'), encoding: { model: { contentType: 'application/octet-stream' }, data: { contentType: 'application/octet-stream' } } } } },
        responses: {
          201: {
            description: 'Registered; workers can serve it now',
            headers: { Location: { schema: { type: 'string' }, description: '/v1/models/{name}' } },
            content: json(ref('RegisteredModel'), { timm: { ...exampleModel, name: 'levit-128s', source: { kind: 'imported', format: 'onnx', file: 'model.onnx' }, benchmark: null, workers: [], served: false, warnings: [] } }),
          },
          400: errorResponse('Missing `model` part or `name`, bad mean/std/size/labels, or labels that do not match the class count', 'VALIDATION_FAILED', 'labels has 5 labels, but output "logits" has 1000 classes'),
          401: errors[401],
          409: errorResponse('Another registration of this name is still running', 'MODEL_BUSY', 'model "levit-128s" is being written by pid 4121 on host; gave up after 120 s'),
          413: errorResponse('A file over MAX_MODEL_UPLOAD_BYTES', 'PAYLOAD_TOO_LARGE', 'upload rejected: File too large (model)'),
          415: errorResponse('Not multipart/form-data', 'UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with a `model` file part (the .onnx) and a `name` field'),
          422: errorResponse(
            'Rejected model: MODEL_NOT_ONNX, MODEL_NO_IMAGE_INPUT, MODEL_NO_CLASS_OUTPUT, MODEL_EXTERNAL_DATA_INVALID or MODEL_RUN_FAILED',
            'MODEL_NO_IMAGE_INPUT',
            'model.onnx: input "input" is [batch, 10]: an image batch has 4 dims, [N,3,H,W] or [N,H,W,3]',
          ),
        },
      },
      get: {
        operationId: 'listModels',
        tags: ['models'],
        summary: 'Registered models with the live workers serving each',
        responses: {
          200: { description: 'Models', content: json(ref('ModelList'), { one: { models: [exampleModel], problems: [] } }) },
          401: errors[401],
        },
      },
    },
    '/v1/models/{name}': {
      get: {
        operationId: 'getModel',
        tags: ['models'],
        summary: 'One model',
        parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' }, example: 'mobilenet-v2' }],
        responses: {
          200: { description: 'The model', content: json(ref('Model'), { mobilenet: exampleModel }) },
          401: errors[401],
          404: errorResponse('Not registered', 'MODEL_NOT_FOUND', 'model "nope" is not registered (GET /v1/models lists the models)'),
        },
      },
    },
  };
}
