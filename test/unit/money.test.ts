import { formatFen } from '../../miniprogram/lib/money';

test.each([
  [1990, '¥19.90'],
  [1, '¥0.01'],
  [10, '¥0.10'],
  [100, '¥1.00'],
  [0, '¥0.00'],
  [123456789, '¥1,234,567.89'],
  [-250, '-¥2.50'],
])('%i fen is %s', (fen, text) => {
  expect(formatFen(fen)).toBe(text);
});

test('refuses anything but integer fen (yuan slipped in by mistake)', () => {
  expect(() => formatFen(19.9)).toThrow(/integer fen/);
  expect(() => formatFen(Number.NaN)).toThrow(/integer fen/);
});
