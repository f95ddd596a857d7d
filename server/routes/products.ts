import type { FastifyPluginAsync } from 'fastify';
import type { ProductsResponse } from '../../typings/api';
import type { Catalog } from '../catalog';

const productSchema = {
  type: 'object',
  required: ['sku', 'title', 'totalFee'],
  properties: { sku: { type: 'string' }, title: { type: 'string' }, totalFee: { type: 'integer' } },
} as const;

export const productRoutes: FastifyPluginAsync<{ catalog: Catalog }> = async (app, { catalog }) => {
  app.get(
    '/api/products',
    {
      schema: {
        response: {
          200: { type: 'object', required: ['products'], properties: { products: { type: 'array', items: productSchema } } },
        },
      },
    },
    async (): Promise<ProductsResponse> => ({ products: [...catalog.products] }),
  );
};
