/** Integer fen to the yuan text a Chinese user expects: 1990 -> "¥19.90". Integer arithmetic: no float rounding. */
export function formatFen(fen: number): string {
  if (!Number.isInteger(fen)) throw new TypeError(`amount must be integer fen, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = abs % 100;
  const grouped = String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${grouped}.${cents < 10 ? '0' : ''}${cents}`;
}
