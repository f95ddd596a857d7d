// Storage: one JSON-encoded map per device, surviving cold restarts as on a phone.
 
import { fail } from '../errors';
import type { WxDefinitions } from './core';

function storageKey(key: unknown): string {
  if (typeof key !== 'string') {
    fail(`parameter error: parameter.key should be String instead of ${key === undefined ? 'Undefined' : typeof key};`);
  }
  return key;
}

export function defineStorage(d: WxDefinitions): void {
  const storage = d.app.sim.storage;
  const setItem = (key: unknown, data: unknown) => void storage.set(storageKey(key), JSON.stringify(data === undefined ? null : data));
  const getItem = (key: unknown) => {
    const raw = storage.get(storageKey(key));
    return raw === undefined ? undefined : JSON.parse(raw);
  };
  const info = () => ({
    keys: [...storage.keys()],
    currentSize: Math.ceil([...storage].reduce((n, [k, v]) => n + k.length + v.length, 0) / 1024),
    limitSize: 10240,
  });
  const kvList = (list: unknown) => {
    if (!Array.isArray(list)) fail('parameter error: parameter.kvList should be Array');
    return list as { key: string; value: unknown }[];
  };
  const note = 'kept across __sim.restart, as on a phone; __sim.storage() shows it';
  d.sync('setStorageSync', 'supported', setItem, note);
  d.sync('getStorageSync', 'supported', (key) => getItem(key) ?? '');
  d.sync('removeStorageSync', 'supported', (key) => void storage.delete(storageKey(key)));
  d.sync('clearStorageSync', 'supported', () => storage.clear());
  d.sync('getStorageInfoSync', 'supported', info);
  d.sync('batchSetStorageSync', 'supported', (list) => kvList(list).forEach((kv) => setItem(kv.key, kv.value)));
  d.sync('batchGetStorageSync', 'supported', (keys: unknown) => (Array.isArray(keys) ? keys : []).map((k) => getItem(k) ?? ''));
  d.async('setStorage', 'supported', (o) => void setItem(o.key, o.data), note);
  d.async('getStorage', 'supported', (o) => {
    const v = getItem(o.key);
    if (v === undefined) fail('data not found');
    return { data: v };
  });
  d.async('removeStorage', 'supported', (o) => void storage.delete(storageKey(o.key)));
  d.async('clearStorage', 'supported', () => storage.clear());
  d.async('getStorageInfo', 'supported', info);
  d.async('batchSetStorage', 'supported', (o) => void kvList(o.kvList).forEach((kv) => setItem(kv.key, kv.value)));
  d.async('batchGetStorage', 'supported', (o) => ({ dataList: (Array.isArray(o.keyList) ? o.keyList : []).map((k: unknown) => getItem(k) ?? '') }));
  d.sync('createBufferURL', 'unsupported', () => fail('not supported in the simulator'));
  d.sync('revokeBufferURL', 'stubbed', () => undefined);
}
