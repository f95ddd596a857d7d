import type { FastifyPluginAsync } from 'fastify';
import type { ProductsResponse } from '../../typings/api';
import type { Catalog } from '../catalog';
import { productsResponseSchema } from '../contracts/api';

export const productRoutes: FastifyPluginAsync<{ catalog: Catalog }> = async (app, { catalog }) => {
  app.get(
    '/api/products',
    { schema: { response: { 200: productsResponseSchema } } },
    async (): Promise<ProductsResponse> => ({ products: [...catalog.products] }),
  );
};
