// Pixel comparison of two PNGs, run in a worker thread (see pictures.test.ts): pngjs and pixelmatch run ten to
// seventy times slower inside jest's sandbox than in plain Node, which made comparing 18 pictures take longer than
// rendering them. workerData: {baseline, fresh, threshold, maxChanged, diffDir, name, tamper?}; it posts
// {changed, problem?, diffFile?}. `tamper` ({left, top, width, height, rgb} in image pixels) repaints a patch of the
// fresh picture first: the test's own proof that a real difference is noticed.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const pixelmatchModule = require('pixelmatch');
const { PNG } = require('pngjs');

const pixelmatch = pixelmatchModule.default || pixelmatchModule;
const { baseline, fresh, threshold, maxChanged, diffDir, name, tamper } = workerData;

function run() {
  const a = PNG.sync.read(Buffer.from(baseline));
  const b = PNG.sync.read(Buffer.from(fresh));
  if (tamper) {
    for (let y = tamper.top; y < tamper.top + tamper.height; y++) {
      for (let x = tamper.left; x < tamper.left + tamper.width; x++) {
        const i = (y * b.width + x) * 4;
        [b.data[i], b.data[i + 1], b.data[i + 2]] = tamper.rgb;
      }
    }
  }
  if (a.width !== b.width || a.height !== b.height) {
    return { changed: Infinity, problem: `size changed from ${a.width}x${a.height} to ${b.width}x${b.height}` };
  }
  const diff = new PNG({ width: a.width, height: a.height });
  const changed = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold });
  if (changed <= maxChanged) return { changed };
  fs.mkdirSync(diffDir, { recursive: true });
  const diffFile = path.join(diffDir, `${name}.diff.png`);
  fs.writeFileSync(diffFile, PNG.sync.write(diff));
  fs.writeFileSync(path.join(diffDir, `${name}.new.png`), PNG.sync.write(b));
  return { changed, diffFile };
}

parentPort.postMessage(run());
