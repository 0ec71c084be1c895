/** The contract of GET /v1/batches/{id}/images/{index} (routes/batch-images.ts). */
import { errorResponse, errors } from './contract/errors.js';
import type { RouteContract } from './contract/openapi-parts.js';
import { batchIdParameter } from './batches.contract.js';

export const batchImagesContract: RouteContract = {
  paths: {
    '/v1/batches/{id}/images/{index}': {
      get: {
        operationId: 'getBatchImage',
        tags: ['batches'],
        summary: 'The image file behind one finished result row (for thumbnails)',
        parameters: [batchIdParameter, { name: 'index', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } }],
        responses: {
          200: {
            description: 'The image bytes, type from their magic number',
            content: { 'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } } },
          },
          400: errorResponse('Index out of range', 'VALIDATION_FAILED', 'index must be an integer from 0 to 2'),
          401: errors[401],
          404: errorResponse('No such batch, or no row yet for this index', 'NOT_FOUND', 'image 2 of batch bmh3k2x9a1f2e3d4c5b6 has no result yet'),
          415: errorResponse(
            'The file is not an image a browser shows',
            'UNSUPPORTED_MEDIA_TYPE',
            'image 1 of batch bmh3k2x9a1f2e3d4c5b6 is not a browser-viewable image',
          ),
        },
      },
    },
  },
};
