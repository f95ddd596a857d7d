// The app's `wx` object lives in ./wx/ (one module per domain); this path stays for the runtime's imports.
export { createWx, isSyncApi, callWxForResult, describeWx, instanceApi, setInitialTheme, type WxHost } from './wx';
