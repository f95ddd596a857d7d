// The server's own price list: prices never come from the client.

import fs from 'node:fs';
import type { Product } from '../typings/api';

export class Catalog {
  private readonly bySku: Map<string, Product>;

  constructor(readonly products: readonly Product[]) {
    this.bySku = new Map(products.map((product) => [product.sku, product]));
  }

  static load(file: string): Catalog {
    let parsed: { products?: Product[] };
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`Cannot read the product catalog ${file}: ${(error as Error).message}`);
    }
    const products = parsed.products ?? [];
    for (const product of products) {
      if (typeof product.sku !== 'string' || typeof product.title !== 'string' ||
          !Number.isInteger(product.totalFee) || product.totalFee <= 0) {
        throw new Error(`Catalog ${file}: every product needs sku, title and a positive integer totalFee (fen)`);
      }
    }
    return new Catalog(products);
  }

  find(sku: string): Product | undefined {
    return this.bySku.get(sku);
  }
}
